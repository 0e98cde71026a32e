import { DcosError } from '../../core/errors.js';

/**
 * A fetch item could not be put in the sandbox; the message names the URI and the reason.
 * `permanent`: the same fetch can never succeed (a checksum that does not match, a destination
 * outside the sandbox, an archive that would escape it), unlike a download that may work later.
 */
export class FetchError extends DcosError {
  readonly permanent: boolean;

  constructor(
    message: string,
    readonly uri: string,
    options: { cause?: unknown; permanent?: boolean } = {},
  ) {
    super('EFETCH', message, { cause: options.cause });
    this.name = 'FetchError';
    this.permanent = options.permanent ?? false;
  }
}

/** `Refusing to extract <name>: entry "<entry>" would escape the sandbox` */
export function escapeError(uri: string, name: string, entry: string): FetchError {
  return new FetchError(`Refusing to extract ${name}: entry "${entry}" would escape the sandbox`, uri, { permanent: true });
}
