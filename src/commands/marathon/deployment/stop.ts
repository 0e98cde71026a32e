import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { stopDeployment } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [id]: readonly [string]): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  await stopDeployment(scheduler, id);
}
