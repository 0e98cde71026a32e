import type { Ctx } from '../../../../core/context.js';
import { UsageError } from '../../../../core/errors.js';
import { info, printJson } from '../../../../core/output.js';
import { connectMarathon } from '../../../../actions/connect.js';
import { appVersionList } from '../../../../actions/marathon-apps.js';
import type { Options } from '../../../types.js';
import { actions } from '../../../shared.js';

export async function run(ctx: Ctx, [id]: readonly unknown[], opts: Options): Promise<void> {
  const maxCount = opts.maxCount as number | undefined;
  if (maxCount === 0) throw new UsageError('maximum count must be a positive number: 0');
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  printJson(ctx, await appVersionList(scheduler, id as string, maxCount));
}
