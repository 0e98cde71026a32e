/** Marathon's and Mesos' JSON as our own types: services, tasks, deployments, nodes, events. */
import { appIdOfTaskId } from '../../marathon/app-id.js';
import type { AppDefinition, ClusterEvent, ClusterNode, Deployment, Framework, PendingTasks, Service, Task } from '../types.js';
import type { MarathonAppStatus, MarathonDeployment, MarathonEvent, MarathonTask, MesosState, MesosTask, QueueItem } from './api-types.js';

/** What Marathon adds to an app definition to say how it is doing. */
const STATUS_FIELDS = new Set(['tasks', 'tasksRunning', 'tasksHealthy', 'tasksStaged', 'tasksUnhealthy', 'deployments', 'lastTaskFailure', 'readinessCheckResults', 'taskStats', 'versionInfo', 'version']);

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function definitionOf(app: MarathonAppStatus): AppDefinition {
  return Object.fromEntries(Object.entries(app).filter(([key]) => !STATUS_FIELDS.has(key))) as AppDefinition;
}

/** A Marathon task of an app as a task: healthy only when every health check says so. */
export function taskOfMarathon(t: MarathonTask, hasChecks: boolean): Task {
  const results = t.healthCheckResults ?? [];
  const failing = results.find((r) => !r.alive && r.lastFailureCause) ?? results.find((r) => r.lastFailureCause);
  return {
    id: t.id,
    serviceId: t.appId,
    name: t.appId.replace(/^\//, ''),
    state: t.state,
    nodeId: t.slaveId,
    host: t.host,
    ports: t.ports ?? [],
    version: t.version,
    stagedAt: t.stagedAt,
    startedAt: t.startedAt,
    healthy: !hasChecks ? null : results.length > 0 && results.every((r) => r.alive),
    healthCause: failing?.lastFailureCause ?? null,
    completed: false,
    ...(t.localVolumes ? { volumes: t.localVolumes } : {}),
    record: t as unknown as Record<string, unknown>,
  };
}

export function serviceOf(app: MarathonAppStatus): Service {
  const hasHealthChecks = (app.healthChecks ?? []).length > 0;
  const f = app.lastTaskFailure;
  return {
    id: app.id,
    instances: app.instances,
    labels: app.labels ?? {},
    definition: definitionOf(app),
    version: app.version,
    configChangedAt: app.versionInfo?.lastConfigChangeAt ?? app.version,
    ...(app.versionInfo?.lastScalingAt ? { lastScaledAt: app.versionInfo.lastScalingAt } : {}),
    resources: { cpus: num(app.cpus), mem: num(app.mem), disk: num(app.disk) },
    hasHealthChecks,
    counts: { running: app.tasksRunning ?? 0, healthy: app.tasksHealthy ?? 0, staged: app.tasksStaged ?? 0, unhealthy: app.tasksUnhealthy ?? 0 },
    deploymentIds: (app.deployments ?? []).map((d) => d.id),
    ...(app.tasks ? { tasks: app.tasks.map((t) => taskOfMarathon(t, hasHealthChecks)) } : {}),
    ...(f ? { lastFailure: { taskId: f.taskId, state: f.state, message: f.message, timestamp: f.timestamp, version: f.version, ...(f.slaveId ? { nodeId: f.slaveId } : {}) } } : {}),
    record: app,
  };
}

export function deploymentOf(d: MarathonDeployment): Deployment {
  const action = (a: { action: string; app: string }) => ({ action: a.action, serviceId: a.app });
  return {
    id: d.id,
    version: d.version,
    serviceIds: d.affectedApps,
    steps: d.steps.map((s) => s.actions.map(action)),
    currentActions: d.currentActions.map(action),
    currentStep: d.currentStep,
    totalSteps: d.totalSteps,
  };
}

/** Why the queue's tasks of an app wait: the cluster's own sentence, or Marathon's reject summary. */
export function queueReason(q: QueueItem): string | undefined {
  return q.lastUnusedOfferReason ?? q.processedOffersSummary?.rejectSummaryLastOffers?.find((r) => r.declined > 0)?.reason;
}

export function pendingOf(q: QueueItem): PendingTasks {
  const reason = queueReason(q);
  return {
    serviceId: q.app.id,
    count: q.count,
    ...(reason ? { reason } : {}),
    ...(q.delay?.timeLeftSeconds ? { delaySeconds: q.delay.timeLeftSeconds } : {}),
  };
}

/** A Marathon event as ours; undefined for events about nothing we follow. */
export function eventOf(e: MarathonEvent): ClusterEvent | undefined {
  const appId = typeof e.appId === 'string' ? e.appId : undefined;
  if (e.eventType === 'status_update_event' && appId) {
    return {
      type: 'task-status',
      serviceId: appId,
      taskId: String(e.taskId),
      state: String(e.taskStatus),
      ...(e.message !== undefined && e.message !== null ? { message: String(e.message) } : {}),
      ...(typeof e.slaveId === 'string' ? { nodeId: e.slaveId } : {}),
    };
  }
  if (e.eventType === 'unhealthy_instance_kill_event' && appId) {
    return { type: 'unhealthy-kill', serviceId: appId, taskId: String(e.taskId), reason: String(e.reason ?? 'health check failed') };
  }
  const affected = (e.plan as { affectedApps?: unknown } | undefined)?.affectedApps;
  const serviceIds = [...(appId ? [appId] : []), ...(Array.isArray(affected) ? affected.filter((a): a is string => typeof a === 'string') : [])];
  return serviceIds.length ? { type: 'changed', serviceIds } : undefined;
}

type Framework0 = { id: string; name: string; user?: unknown; hostname?: unknown; active?: unknown; tasks?: MesosTask[]; completed_tasks?: MesosTask[]; resources?: Record<string, unknown> };

/** The tasks of the master state, active ones and/or finished ones. */
export function tasksOfState(state: MesosState, which: { active: boolean; completed: boolean }): Task[] {
  const hosts = new Map(state.slaves.map((s) => [s.id, s.hostname]));
  const out: Task[] = [];
  const add = (fw: Framework0, task: MesosTask, completed: boolean) => {
    const last = task.statuses?.[task.statuses.length - 1];
    const user = (task as { user?: unknown }).user ?? fw.user;
    const marathon = fw.name === 'marathon';
    const serviceId = marathon ? appIdOfTaskId(task.id) : undefined;
    out.push({
      id: task.id,
      ...(serviceId ? { serviceId } : {}),
      name: task.name,
      state: task.state,
      nodeId: task.slave_id,
      host: hosts.get(task.slave_id),
      ports: [],
      healthy: last?.healthy === undefined ? undefined : last.healthy,
      ...(typeof user === 'string' ? { user } : {}),
      completed,
      record: task as unknown as Record<string, unknown>,
    });
  };
  for (const fw of state.frameworks as Framework0[]) {
    if (which.active) for (const t of fw.tasks ?? []) add(fw, t, false);
    if (which.completed) for (const t of fw.completed_tasks ?? []) add(fw, t, true);
  }
  if (which.completed) {
    for (const fw of (state.completed_frameworks ?? []) as Framework0[]) {
      for (const t of [...(fw.tasks ?? []), ...(fw.completed_tasks ?? [])]) add(fw, t, true);
    }
  }
  return out;
}

/** The agent's address from its pid, `slave(1)@10.0.0.7:5051`. */
export function ipOfPid(pid: string | undefined): string | undefined {
  return /@([^:]+):\d+$/.exec(pid ?? '')?.[1];
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const rounded = (v: unknown) => round(num(v));

export function nodesOfState(state: MesosState): ClusterNode[] {
  return state.slaves.map((s) => {
    const ip = ipOfPid(s.pid);
    return {
      id: s.id,
      hostname: s.hostname,
      ...(ip ? { ip } : {}),
      status: s.active ? ('active' as const) : ('inactive' as const),
      cpus: { used: rounded(s.used_resources?.cpus), total: rounded(s.resources?.cpus) },
      mem: { used: rounded(s.used_resources?.mem), total: rounded(s.resources?.mem) },
      disk: { used: rounded(s.used_resources?.disk), total: rounded(s.resources?.disk) },
      record: s,
    };
  });
}

export function frameworksOfState(state: MesosState, completed: boolean): Framework[] {
  const row = (fw: Framework0, done: boolean): Framework => ({
    id: fw.id,
    name: fw.name,
    ...(typeof fw.hostname === 'string' ? { host: fw.hostname } : {}),
    active: !done && fw.active === true,
    completed: done,
    tasks: done ? 0 : (fw.tasks ?? []).length,
    resources: { cpus: num(fw.resources?.cpus), mem: num(fw.resources?.mem), disk: num(fw.resources?.disk) },
  });
  return [
    ...(state.frameworks as Framework0[]).map((f) => row(f, false)),
    ...(completed ? ((state.completed_frameworks ?? []) as Framework0[]).map((f) => row(f, true)) : []),
  ];
}
