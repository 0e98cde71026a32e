import type { Ctx } from '../../../core/context.js';
import { info, printJson } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { rollbackDeployment } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [id]: readonly [string]): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  printJson(ctx, (await rollbackDeployment(scheduler, id)) ?? {});
}
