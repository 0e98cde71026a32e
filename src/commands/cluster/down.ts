import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import { clusterDown } from '../../actions/cluster.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, _args: readonly unknown[], opts: Options): Promise<void> {
  const { name, result } = await clusterDown(actions(ctx), opts.name as string | undefined);
  info(ctx, result === 'stopped' ? `Cluster [${name}] stopped, with its tasks.` : `Cluster [${name}] was not running.`);
}
