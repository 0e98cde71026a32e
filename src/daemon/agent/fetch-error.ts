import { DcosError } from '../../core/errors.js';

/** A fetch item could not be put in the sandbox; the message names the URI and the reason. */
export class FetchError extends DcosError {
  constructor(
    message: string,
    readonly uri: string,
    options: { cause?: unknown } = {},
  ) {
    super('EFETCH', message, options);
    this.name = 'FetchError';
  }
}

/** `Refusing to extract <name>: entry "<entry>" would escape the sandbox` */
export function escapeError(uri: string, name: string, entry: string): FetchError {
  return new FetchError(`Refusing to extract ${name}: entry "${entry}" would escape the sandbox`, uri);
}
