import type { Ctx } from '../../../../core/context.js';
import { UsageError } from '../../../../core/errors.js';
import { info, printJson } from '../../../../core/output.js';
import { connectMarathon } from '../../../../actions/connect.js';
import { appVersionList } from '../../../../actions/marathon-apps.js';
import { actions } from '../../../shared.js';

export interface VersionListFlags {
  maxCount?: number;
  json?: boolean;
}

/** Always JSON, so --json changes nothing. */
export async function run(ctx: Ctx, [id]: readonly [string], opts: VersionListFlags): Promise<void> {
  const maxCount = opts.maxCount;
  if (maxCount === 0) throw new UsageError('maximum count must be a positive number: 0');
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  printJson(ctx, await appVersionList(scheduler, id, maxCount));
}
