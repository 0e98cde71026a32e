/** An HTTP answer other than success, with Marathon's JSON error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? status));
  }
}

export function notFound(message: string): HttpError {
  return new HttpError(404, { message });
}
