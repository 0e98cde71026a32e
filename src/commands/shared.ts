/** Helpers every command uses. */
import { actionCtx, type ActionCtx, type Ctx } from '../core/context.js';
import { warn } from '../core/output.js';

/** The action context of a command, with warnings printed on stderr. */
export function actions(ctx: Ctx): ActionCtx {
  return actionCtx(ctx, (message) => warn(ctx, message));
}
