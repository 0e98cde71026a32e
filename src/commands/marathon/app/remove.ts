import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { removeApp } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export interface AppRemoveFlags {
  force?: boolean;
}

export async function run(ctx: Ctx, [id]: readonly [string], opts: AppRemoveFlags): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  await removeApp(scheduler, id, Boolean(opts.force));
}
