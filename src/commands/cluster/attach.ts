import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import { clusterAttach } from '../../actions/cluster.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [name]: readonly [string]): Promise<void> {
  const status = await clusterAttach(actions(ctx), name);
  info(ctx, `Attached to cluster [${status.name}] at ${status.url}`);
}
