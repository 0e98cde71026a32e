import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import { clusterAttach } from '../../actions/cluster.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [name]: readonly unknown[], _opts: Options): Promise<void> {
  const status = await clusterAttach(actions(ctx), name as string);
  info(ctx, `Attached to cluster [${status.name}] at ${status.url}`);
}
