import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import type { Options } from '../types.js';

export async function run(ctx: Ctx, [key, value]: readonly unknown[], _opts: Options): Promise<void> {
  const stored = ctx.config.set(key as string, value as string);
  info(ctx, `[${String(key)}]: set to ${JSON.stringify(stored)}`);
}
