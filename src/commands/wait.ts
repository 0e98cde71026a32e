/** The session a deploying command gives its use case: stderr lines, a prompt, live progress. */
import type { Ctx } from '../core/context.js';
import { confirm } from '../core/prompt.js';
import type { Session, WaitOptions } from '../actions/session.js';
import { createProgress } from '../ui/progress.js';
import { reader } from './shared.js';

export function session(ctx: Ctx, opts: { yes?: boolean }): Session {
  return {
    ...reader(ctx),
    confirm: (question) => confirm(ctx, question, Boolean(opts.yes)),
    progress: (title) => createProgress(ctx, title),
  };
}

/**
 * --wait is the default; --no-wait turns it off. --timeout is parsed to milliseconds by the command
 * line, and always there: it has a default.
 */
export function waitOptions(opts: { wait?: boolean; timeout: number }): WaitOptions {
  return { wait: opts.wait !== false, timeoutMs: opts.timeout };
}
