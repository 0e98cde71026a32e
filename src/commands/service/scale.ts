import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { printJson } from '../../core/output.js';
import { scaleService } from '../../actions/service.js';
import { session, waitOptions } from '../wait.js';

export interface ScaleFlags {
  force?: boolean;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

export async function run(ctx: Ctx, [name, count]: readonly [string, string], opts: ScaleFlags): Promise<void> {
  if (!/^\d+$/.test(count)) throw new UsageError(`Invalid instance count "${count}": use a whole number, 0 or more`);
  // No confirmation: scaling is how an operator answers a page, and Marathon's CLI never asked.
  const result = await scaleService(session(ctx, { yes: true }), { name, instances: Number(count), force: Boolean(opts.force), ...waitOptions(opts) });
  if (opts.json) printJson(ctx, result);
}
