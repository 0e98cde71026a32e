/**
 * Typed errors shown to the user. A DcosError is an expected failure (bad input, missing package,
 * unreachable cluster): it is printed calmly, without a stack. Anything else that reaches the top
 * level is a bug and is reported as one.
 */

/** Exit codes documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** A deployment or task failed while we waited for it. */
  deploymentFailed: 3,
  /** The wait timed out before the deployment finished. */
  timeout: 4,
  /** A pulled asset's checksum is not the one its URI names (`package pull`). */
  checksumMismatch: 5,
  /** An asset of the package is missing from the asset mirror; nothing was submitted. */
  assetMissing: 6,
  interrupted: 130,
} as const;

/** One line of detail, optionally tied to a location (file, JSON path, flag). */
export interface ErrorDetail {
  path?: string;
  message: string;
}

export interface DcosErrorOptions {
  hint?: string;
  details?: ErrorDetail[];
  exitCode?: number;
  cause?: unknown;
  /** Show details without -v (validation errors are the point of the message). */
  showDetails?: boolean;
}

/**
 * Marks DcosErrors. The launcher's core and the lazily loaded command bundles each hold their own
 * copy of this module, so `instanceof` cannot be trusted across them; the brand can.
 */
const BRAND = Symbol.for('dcos.DcosError');

export class DcosError extends Error {
  readonly [BRAND] = true;
  readonly code: string;
  readonly hint?: string;
  readonly details: ErrorDetail[];
  readonly exitCode: number;
  readonly showDetails: boolean;

  constructor(code: string, message: string, options: DcosErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DcosError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.showDetails = options.showDetails ?? false;
  }
}

/** Wrong flags, arguments or combinations of them: exit code 2. */
export class UsageError extends DcosError {
  constructor(message: string, options: DcosErrorOptions = {}) {
    super('EUSAGE', message, { ...options, exitCode: ExitCode.usage });
    this.name = 'UsageError';
  }
}

/** The user interrupted (Ctrl-C): exit code 130. */
export class InterruptedError extends DcosError {
  constructor() {
    super('EINTERRUPTED', 'Interrupted', { exitCode: ExitCode.interrupted });
    this.name = 'InterruptedError';
  }
}

export function isDcosError(err: unknown): err is DcosError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * What an error means once Ctrl-C was pressed: an aborted request surfaces as whatever the HTTP
 * client threw, and that is still the interruption; an error of our own stays what it says.
 */
export function asInterrupted(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted && !isDcosError(err) ? new InterruptedError() : err;
}
