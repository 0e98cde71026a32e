/**
 * A refusal of the cluster's API: its HTTP status (404, 409 AppLocked, 422 ...) and Marathon's JSON
 * error body. The cluster's model raises it, as Marathon's answers are part of its contract; the
 * HTTP layer sends it as it is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? status));
  }
}

export function notFound(message: string): ApiError {
  return new ApiError(404, { message });
}
