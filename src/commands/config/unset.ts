import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import type { Options } from '../types.js';

export async function run(ctx: Ctx, [key]: readonly unknown[], _opts: Options): Promise<void> {
  ctx.config.unset(key as string);
  info(ctx, `Removed [${String(key)}]`);
}
