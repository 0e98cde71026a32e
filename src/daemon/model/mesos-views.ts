/**
 * The read side of the Mesos master and agent API, as the DC/OS CLI reads it (`dcos task`,
 * `dcos node`, `dcos service`, `dcos task log`): one agent (this machine) and one framework
 * (marathon) whose tasks are the cluster's tasks.
 */
import type { Task } from '../types.js';
import type { NodeInfo } from './node-info.js';
import type { Resources } from './resources.js';
import type { Reservations } from './reservations.js';
import type { ClusterState } from './state.js';

const MESOS_VERSION = '1.11.0';

function portRanges(ports: readonly number[]): string {
  if (ports.length === 0) return '';
  const sorted = [...ports].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = sorted[0];
  let prev = sorted[0];
  for (const p of sorted.slice(1)) {
    if (p === prev + 1) {
      prev = p;
      continue;
    }
    ranges.push(`${start}-${prev}`);
    start = prev = p;
  }
  ranges.push(`${start}-${prev}`);
  return `[${ranges.join(', ')}]`;
}

function resourcesJson(r: Resources, ports?: string): Record<string, unknown> {
  return { cpus: r.cpus, gpus: r.gpus, mem: r.mem, disk: r.disk, ...(ports ? { ports } : {}) };
}

/** Marathon names a Mesos task after the app id with its segments reversed: /prod/web -> web.prod. */
export function mesosTaskName(appId: string): string {
  return appId.split('/').filter(Boolean).reverse().join('.');
}

const seconds = (iso: string | null) => (iso ? Date.parse(iso) / 1000 : null);

export function mesosTask(task: Task, node: NodeInfo): Record<string, unknown> {
  const statuses: Array<Record<string, unknown>> = [];
  statuses.push({ state: 'TASK_STAGING', timestamp: seconds(task.stagedAt) });
  if (task.startedAt) statuses.push({ state: 'TASK_RUNNING', timestamp: seconds(task.startedAt) });
  if (task.state !== 'TASK_STAGING' && task.state !== 'TASK_RUNNING') {
    statuses.push({ state: task.state, timestamp: seconds(task.finishedAt) ?? Date.now() / 1000, message: task.message });
  }
  // Clients read the task's address from its latest status; earlier ones need not repeat it.
  statuses[statuses.length - 1].container_status = {
    container_id: { value: task.sandbox.split('/').pop() },
    network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: node.host }] }],
  };
  const healthy = task.healthCheckResults.length ? task.healthCheckResults.every((r) => r.alive) : undefined;
  if (healthy !== undefined) statuses[statuses.length - 1].healthy = healthy;
  return {
    id: task.id,
    name: mesosTaskName(task.appId),
    framework_id: node.frameworkId,
    executor_id: '',
    slave_id: node.agentId,
    state: task.state,
    resources: resourcesJson(task.resources, portRanges(task.ports)),
    role: '*',
    statuses,
    ...(task.ports.length
      ? { discovery: { visibility: 'FRAMEWORK', name: mesosTaskName(task.appId), ports: { ports: task.ports.map((number) => ({ number, protocol: 'tcp' })) } } }
      : {}),
    ...(task.message ? { message: task.message } : {}),
  };
}

/** The framework's own fields, shared by /state and /state-summary (which has no task lists). */
function frameworkHeader(node: NodeInfo, used: Resources) {
  return {
    id: node.frameworkId,
    name: 'marathon',
    pid: `scheduler-${node.frameworkId}@${node.host}:${new URL(node.url).port}`,
    used_resources: resourcesJson(used),
    offered_resources: resourcesJson({ cpus: 0, mem: 0, disk: 0, gpus: 0 }),
    capabilities: ['PARTITION_AWARE', 'TASK_KILLING_STATE', 'GPU_RESOURCES'],
    hostname: node.hostname,
    webui_url: node.url,
    active: true,
    connected: true,
    recovered: false,
  };
}

function frameworkJson(state: ClusterState, node: NodeInfo, used: Resources): Record<string, unknown> {
  const active = [...state.tasks.values()];
  return {
    ...frameworkHeader(node, used),
    user: process.env.USER ?? 'root',
    failover_timeout: 604800,
    checkpoint: true,
    registered_time: node.startedAt / 1000,
    unregistered_time: 0,
    principal: 'dcos_marathon',
    resources: resourcesJson(used),
    role: '*',
    tasks: active.map((t) => mesosTask(t, node)),
    unreachable_tasks: [],
    completed_tasks: state.completed.map((t) => mesosTask(t, node)),
    offers: [],
    executors: [],
  };
}

export function agentJson(node: NodeInfo, used: Resources): Record<string, unknown> {
  const port = new URL(node.url).port;
  const all = resourcesJson(node.resources, `[${node.portRange[0]}-${node.portRange[1]}]`);
  return {
    id: node.agentId,
    hostname: node.hostname,
    port: Number(port),
    attributes: {},
    pid: `slave(1)@${node.host}:${port}`,
    registered_time: node.startedAt / 1000,
    resources: all,
    used_resources: resourcesJson(used),
    offered_resources: resourcesJson({ cpus: 0, mem: 0, disk: 0, gpus: 0 }),
    reserved_resources: {},
    unreserved_resources: all,
    active: true,
    deactivated: false,
    version: MESOS_VERSION,
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
    // Not Mesos's: which runtime runs DOCKER containers on this agent (null: none answers).
    containerRuntime: node.containerRuntime ?? null,
  };
}

export function masterState(state: ClusterState, node: NodeInfo, used: Resources): Record<string, unknown> {
  const port = new URL(node.url).port;
  return {
    version: MESOS_VERSION,
    git_sha: 'dcos-embedded',
    build_date: '',
    build_time: node.startedAt / 1000,
    build_user: 'dcos',
    start_time: node.startedAt / 1000,
    elected_time: node.startedAt / 1000,
    id: node.masterId,
    pid: `master@${node.host}:${port}`,
    hostname: node.hostname,
    capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'],
    activated_slaves: 1,
    deactivated_slaves: 0,
    unreachable_slaves: 0,
    leader: `master@${node.host}:${port}`,
    leader_info: { id: node.masterId, pid: `master@${node.host}:${port}`, port: Number(port), hostname: node.hostname },
    cluster: node.name,
    flags: {},
    slaves: [agentJson(node, used)],
    recovered_slaves: [],
    frameworks: [frameworkJson(state, node, used)],
    completed_frameworks: [],
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

const TASK_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_KILLED', 'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_UNREACHABLE', 'TASK_DROPPED'];

export function stateSummary(state: ClusterState, node: NodeInfo, used: Resources): Record<string, unknown> {
  const counts: Record<string, number> = Object.fromEntries(TASK_STATES.map((s) => [s, 0]));
  for (const t of state.tasks.values()) counts[t.state] = (counts[t.state] ?? 0) + 1;
  for (const t of state.completed) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return {
    hostname: node.hostname,
    cluster: node.name,
    slaves: [{ ...agentJson(node, used), ...counts, framework_ids: [node.frameworkId] }],
    frameworks: [{ ...frameworkHeader(node, used), ...counts, slave_ids: [node.agentId] }],
  };
}

/** The agent's own state: the framework's executors, each a task whose directory is its sandbox. */
export function agentState(state: ClusterState, node: NodeInfo, used: Resources, reservations?: Reservations): Record<string, unknown> {
  const executor = (t: Task) => ({
    id: t.id,
    name: `Command Executor (Task: ${t.id}) (Command: sh -c '...')`,
    source: t.id,
    container: t.sandbox.split('/').pop(),
    directory: t.sandbox,
    resources: resourcesJson(t.resources, portRanges(t.ports)),
    type: 'COMMAND',
    tasks: state.tasks.has(t.id) ? [mesosTask(t, node)] : [],
    queued_tasks: [],
    completed_tasks: state.tasks.has(t.id) ? [] : [mesosTask(t, node)],
  });
  return {
    ...agentJson(node, used),
    ...(reservations ? { reserved_resources_full: reservedResources(reservations, state, node) } : {}),
    frameworks: [
      {
        id: node.frameworkId, name: 'marathon', user: process.env.USER ?? 'root', failover_timeout: 604800, checkpoint: true,
        hostname: node.hostname, role: '*',
        executors: [...state.tasks.values()].map(executor),
        completed_executors: state.completed.map(executor),
      },
    ],
    completed_frameworks: [],
  };
}

/**
 * Persistent volumes as a Mesos agent reports them: disk resources with a persistence id and a
 * container path, reserved for the framework and labelled with the instance that owns them, as
 * Marathon labels its reservations. `used_bytes` (and `used_bytes_complete`) are this cluster's
 * own addition: Mesos does not measure volumes.
 */
function reservedResources(reservations: Reservations, state: ClusterState, node: NodeInfo): Record<string, unknown[]> {
  const tasks = [...state.tasks.values()];
  const resources = reservations.all().flatMap((r) => {
    const holder = reservations.holder(r, tasks);
    const usage = reservations.usage(r);
    return r.volumes.map((v) => ({
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: v.size },
      role: '*',
      reservation: {
        principal: 'dcos',
        labels: {
          labels: [
            { key: 'marathon_framework_id', value: node.frameworkId },
            { key: 'marathon_task_id', value: r.id },
            { key: 'dcos_app_id', value: r.appId },
            { key: 'dcos_state', value: r.destroying ? 'destroying' : holder ? 'in use' : 'suspended' },
            ...(holder ? [{ key: 'dcos_running_task_id', value: holder.id }] : []),
          ],
        },
      },
      disk: { persistence: { id: v.persistenceId, principal: 'dcos' }, volume: { container_path: v.containerPath, mode: 'RW' }, source: { type: 'PATH', path: { root: v.path } } },
      used_bytes: usage.get(v.persistenceId)?.bytes ?? 0,
      used_bytes_complete: usage.get(v.persistenceId)?.complete ?? true,
    }));
  });
  return resources.length > 0 ? { '*': resources } : {};
}
