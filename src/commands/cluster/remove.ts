import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import { clusterRemove } from '../../actions/cluster.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [name]: readonly [string]): Promise<void> {
  const entry = await clusterRemove(actions(ctx), name);
  info(
    ctx,
    entry.kind === 'local'
      ? `Removed cluster [${entry.name}] from the list; its data dir ${entry.dataDir} is kept (delete it to free the space).`
      : `Removed cluster [${entry.name}] (${entry.url}) from the list; the cluster itself is not changed.`,
  );
}
