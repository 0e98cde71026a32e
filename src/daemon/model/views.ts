/** Marathon's JSON for apps, tasks and deployments, built from the cluster's state. */
import { deploymentJson, type ReadinessCheckResultJson } from '../engine/plan.js';
import type { Task } from '../types.js';
import type { StoredApp } from './app-changes.js';
import type { NodeInfo } from './node-info.js';
import type { ClusterState, Deployment, TaskFailure } from './state.js';

/** `readiness` gives the readiness results of an app's tasks, shown under currentActions. */
export function deploymentView(dep: Deployment, readiness?: (appId: string) => ReadinessCheckResultJson[]): Record<string, unknown> {
  const currentStep = Math.min(dep.currentStep, dep.steps.length);
  const actions = currentStep > 0 ? dep.steps[currentStep - 1].actions : [];
  return deploymentJson({
    id: dep.id,
    version: dep.version,
    steps: dep.steps,
    currentStep,
    currentActions: actions.map((a) => ({ ...a, readinessCheckResults: readiness?.(a.app) ?? [] })),
  });
}

export function servicePorts(app: StoredApp): number[] {
  return (app.portDefinitions ?? []).map((p) => p.port ?? 0);
}

export function taskJson(task: Task, node: NodeInfo, app?: StoredApp): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: task.id,
    appId: task.appId,
    host: task.host,
    slaveId: node.agentId,
    ports: task.ports,
    servicePorts: app ? servicePorts(app) : task.servicePorts,
    ipAddresses: [{ ipAddress: node.host, protocol: 'IPv4' }],
    stagedAt: task.stagedAt,
    startedAt: task.startedAt,
    version: task.version,
    state: task.state,
    localVolumes: task.localVolumes ?? [],
    role: '*',
  };
  if ((app?.healthChecks ?? []).length > 0) json.healthCheckResults = task.healthCheckResults;
  return json;
}

export interface AppCounts {
  tasksStaged: number;
  tasksRunning: number;
  tasksHealthy: number;
  tasksUnhealthy: number;
}

export function countTasks(tasks: readonly Task[]): AppCounts {
  const counts: AppCounts = { tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0 };
  for (const t of tasks) {
    if (t.state === 'TASK_STAGING') counts.tasksStaged += 1;
    if (t.state === 'TASK_RUNNING') counts.tasksRunning += 1;
    const results = t.healthCheckResults;
    if (results.length > 0 && results.every((r) => r.alive)) counts.tasksHealthy += 1;
    if (results.some((r) => !r.alive)) counts.tasksUnhealthy += 1;
  }
  return counts;
}

export interface AppEmbeds {
  tasks?: boolean;
  lastTaskFailure?: boolean;
  taskStats?: boolean;
}

/** The AppInfo Marathon answers: the definition, counts and deployments always; tasks when embedded. */
export function appInfo(app: StoredApp, state: ClusterState, node: NodeInfo, embed: AppEmbeds = {}): Record<string, unknown> {
  const tasks = state.tasksOf(app.id);
  const deployments = state.deploymentsOf(app.id).map((d) => ({ id: d.id }));
  const json: Record<string, unknown> = {
    ...app,
    ports: servicePorts(app),
    ...countTasks(tasks),
    deployments,
  };
  if (embed.tasks) json.tasks = tasks.map((t) => taskJson(t, node, app));
  const failure: TaskFailure | undefined = state.failures.get(app.id);
  if (embed.lastTaskFailure && failure) json.lastTaskFailure = failure;
  if (embed.taskStats) json.tasksStats = {};
  return json;
}

/** The bare definition, as `/v2/apps/{id}/versions/{version}` answers it. */
export function appDefinition(app: StoredApp): Record<string, unknown> {
  return { ...app, ports: servicePorts(app) };
}
