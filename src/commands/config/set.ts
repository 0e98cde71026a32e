import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
export async function run(ctx: Ctx, [key, value]: readonly [string, string]): Promise<void> {
  const stored = ctx.config.set(key, value);
  info(ctx, `[${key}]: set to ${JSON.stringify(stored)}`);
}
