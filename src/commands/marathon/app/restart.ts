import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { restartApp } from '../../../actions/marathon-apps.js';
import type { Options } from '../../types.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [id]: readonly unknown[], opts: Options): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const { deploymentId } = await restartApp(scheduler, id as string, Boolean(opts.force));
  ctx.stdout.write(`Created deployment ${deploymentId}\n`);
}
