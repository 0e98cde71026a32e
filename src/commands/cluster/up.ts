import type { Ctx } from '../../core/context.js';
import { info, printJson } from '../../core/output.js';
import { clusterUp } from '../../actions/cluster.js';
import { actions } from '../shared.js';

export interface UpFlags {
  name?: string;
  port?: number;
  dataDir?: string;
  allowPrivileged?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: UpFlags): Promise<void> {
  const up = await clusterUp(actions(ctx), { name: opts.name, port: opts.port, dataDir: opts.dataDir, allowPrivileged: opts.allowPrivileged === true });
  if (opts.json) printJson(ctx, up);
  info(ctx, up.started
    ? `Cluster [${up.name}] is up at ${up.url} (data: ${up.dataDir}) and attached. Stop it with: dcos cluster down${up.name === 'local' ? '' : ` --name ${up.name}`}`
    : `Cluster [${up.name}] is already running at ${up.url} (pid ${up.pid}); attached to it.`);
}
