import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { restartApp } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export interface AppRestartFlags {
  force?: boolean;
}

export async function run(ctx: Ctx, [id]: readonly [string], opts: AppRestartFlags): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const { deploymentId } = await restartApp(scheduler, id, Boolean(opts.force));
  ctx.stdout.write(`Created deployment ${deploymentId}\n`);
}
