import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
export async function run(ctx: Ctx, [key]: readonly [string]): Promise<void> {
  ctx.config.unset(key);
  info(ctx, `Removed [${key}]`);
}
