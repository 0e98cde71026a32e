import type { Ctx } from '../../core/context.js';
import { noneFound, printJson, printTable } from '../../core/output.js';
import { clusterList } from '../../actions/cluster.js';
import { actions } from '../shared.js';

export interface ClusterListFlags {
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: ClusterListFlags): Promise<void> {
  const clusters = await clusterList(actions(ctx));
  if (opts.json) {
    printJson(ctx, clusters);
    return;
  }
  if (clusters.length === 0) {
    noneFound(ctx, 'No clusters yet. Start the local one with "dcos cluster up".');
    return;
  }
  printTable(ctx, clusters, [
    { header: ' ', value: (c) => (c.attached ? '*' : ' ') },
    { header: 'NAME', value: (c) => c.name },
    { header: 'KIND', value: (c) => c.kind },
    { header: 'STATUS', value: (c) => c.health.toUpperCase() },
    { header: 'URL', value: (c) => c.url },
  ]);
}
