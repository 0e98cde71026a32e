import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import { clusterRemove } from '../../actions/cluster.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [name]: readonly unknown[], _opts: Options): Promise<void> {
  await clusterRemove(actions(ctx), name as string);
  info(ctx, `Removed cluster [${String(name)}] from the list (a local cluster's data dir is kept).`);
}
