import type { Ctx } from '../../core/context.js';
import { info, printJson } from '../../core/output.js';
import { clusterUp } from '../../actions/cluster.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, _args: readonly unknown[], opts: Options): Promise<void> {
  const up = await clusterUp(actions(ctx), { name: opts.name as string | undefined, port: opts.port as number | undefined, dataDir: opts.dataDir as string | undefined, allowPrivileged: opts.allowPrivileged === true });
  if (opts.json) printJson(ctx, up);
  info(ctx, up.started
    ? `Cluster [${up.name}] is up at ${up.url} (data: ${up.dataDir}) and attached. Stop it with: dcos cluster down${up.name === 'local' ? '' : ` --name ${up.name}`}`
    : `Cluster [${up.name}] is already running at ${up.url} (pid ${up.pid}); attached to it.`);
}
