/** Helpers every command uses. */
import { actionCtx, type ActionCtx, type Ctx } from '../core/context.js';
import { info, warn } from '../core/output.js';
import type { Reader } from '../actions/session.js';

/** The action context of a command, with warnings printed on stderr. */
export function actions(ctx: Ctx): ActionCtx {
  return actionCtx(ctx, (message) => warn(ctx, message));
}

/** The context of a reading use case: its notes (e.g. "Started the local cluster") on stderr. */
export function reader(ctx: Ctx): Reader {
  const act = actions(ctx);
  const notify = (message: string) => info(ctx, message);
  // Loaded when a cluster is needed: commands that never talk to one (package search) do not pay for it.
  const connect = async () => (await import('../actions/connect.js')).connectScheduler(act, notify);
  return { ...act, notify, connect };
}
