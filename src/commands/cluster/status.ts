import type { Ctx } from '../../core/context.js';
import { printJson, printLines } from '../../core/output.js';
import { clusterStatus, nameFlag, type ClusterStatus } from '../../actions/cluster.js';
import { DcosError } from '../../core/errors.js';
import { actions } from '../shared.js';

export interface StatusFlags {
  name?: string;
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: StatusFlags): Promise<void> {
  const status = await clusterStatus(actions(ctx), opts.name);
  // A cluster that is down is a failure: said on stderr, with nothing on stdout.
  const problem = notUp(status);
  if (problem) throw problem;
  if (opts.json) printJson(ctx, status);
  else {
    // The embedded daemon's /dcos-local/status JSON (only local clusters have a detail).
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
    if (status.context) lines.push(`Context:    ${status.context}`);
    if (status.namespace) lines.push(`Namespace:  ${status.namespace}`);
    if (status.nodes) lines.push(`Nodes:      ${status.nodes.length ? status.nodes.map((n) => `${n.name} (${n.status}${n.ip ? `, ${n.ip}` : ''})`).join(', ') : 'none'}`);
    if (d) lines.push(`Started:    ${d.startedAt}`, `Apps:       ${d.apps}`, `Tasks:      ${d.tasks}`, `Deploying:  ${d.deployments}`);
    printLines(ctx, lines);
  }
}

function notUp(status: ClusterStatus): DcosError | undefined {
  const details = [
    ...(status.url ? [{ path: 'url', message: status.url }] : []),
    ...(status.dataDir ? [{ path: 'data dir', message: status.dataDir }] : []),
    ...(status.pid ? [{ path: 'pid', message: String(status.pid) }] : []),
  ];
  const flag = nameFlag(status.name);
  if (status.health === 'stopped') {
    return new DcosError('ECLUSTER_DOWN', `The local cluster [${status.name}] is not running`, { details, showDetails: true, hint: `Start it with: dcos cluster up${flag}` });
  }
  if (status.health === 'unresponsive') {
    return new DcosError('ECLUSTER_UNRESPONSIVE', `The local cluster [${status.name}] is running (pid ${status.pid}) but does not answer`, {
      details,
      showDetails: true,
      hint: `Its log is daemon.log in its data dir. Stop it with "dcos cluster down${flag}" and start it again with "dcos cluster up${flag}".`,
    });
  }
  if (status.health === 'unavailable') {
    return new DcosError('ECLUSTER_UNAVAILABLE', `Cluster [${status.name}] does not answer at ${status.url}`, {
      details,
      showDetails: true,
      hint: 'Check the URL, the network and the token ("dcos cluster setup" again replaces them).',
    });
  }
  return undefined;
}
