import type { Ctx } from '../../core/context.js';
import { printJson, printLines } from '../../core/output.js';
import { clusterStatus } from '../../actions/cluster.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, _args: readonly unknown[], opts: Options): Promise<number> {
  const status = await clusterStatus(actions(ctx), opts.name as string | undefined);
  if (opts.json) printJson(ctx, status);
  else {
    const d = status.detail as { apps?: number; tasks?: number; deployments?: number; startedAt?: string } | undefined;
    const lines = [
      `Name:       ${status.name}${status.attached ? ' (attached)' : ''}`,
      `Kind:       ${status.kind}`,
      `Health:     ${status.health}`,
      `URL:        ${status.url ?? '---'}`,
    ];
    if (status.dataDir) lines.push(`Data dir:   ${status.dataDir}`);
    if (status.pid) lines.push(`Pid:        ${status.pid}`);
    if (status.version) lines.push(`Version:    ${status.version}`);
    if (d) lines.push(`Started:    ${d.startedAt}`, `Apps:       ${d.apps}`, `Tasks:      ${d.tasks}`, `Deploying:  ${d.deployments}`);
    printLines(ctx, lines);
  }
  return status.health === 'running' || status.health === 'available' ? 0 : 1;
}
