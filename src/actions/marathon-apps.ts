/**
 * `dcos marathon app|deployment|task`: Marathon apps, their versions, deployments and tasks on the
 * attached cluster, with errors that name the app and suggest a close one. These are Marathon's
 * own API by name, so they take the Marathon client itself, not the cluster-neutral Scheduler.
 */
import { DcosError, UsageError } from '../core/errors.js';
import { didYouMean, suggest } from '../core/suggest.js';
import { normalizeAppId } from '../marathon/app-id.js';
import type { DeploymentRef, MarathonAppStatus, MarathonDeployment, MarathonTask } from '../scheduler/marathon/api-types.js';
import type { MarathonClient } from '../scheduler/marathon/client.js';
import { compareText } from '../core/compare.js';

const isNotFound = (err: unknown) => (err as DcosError | undefined)?.code === 'ENOT_FOUND';

/** `App '/x' does not exist`, with the closest app ids as a suggestion. */
export async function appNotFound(scheduler: MarathonClient, id: string): Promise<DcosError> {
  const ids = (await scheduler.listApps().catch(() => [])).map((a) => a.id);
  const close = suggest(id, ids);
  return new DcosError('ENOT_FOUND', `App '${id}' does not exist`, {
    hint: close.length ? `Did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : 'See the apps with "dcos marathon app list".',
  });
}

/** Runs a call about one app, turning "not found" into `appNotFound`. */
export async function aboutApp<T>(scheduler: MarathonClient, id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isNotFound(err)) throw await appNotFound(scheduler, id);
    throw err;
  }
}

export async function requireApp(scheduler: MarathonClient, rawId: string): Promise<MarathonAppStatus> {
  const id = normalizeAppId(rawId);
  const app = await scheduler.getApp(id);
  if (!app) throw await appNotFound(scheduler, id);
  return app;
}

const ACTIONS: Record<string, string> = {
  StartApplication: 'start',
  StopApplication: 'stop',
  ScaleApplication: 'scale',
  RestartApplication: 'restart',
  StartPod: 'start',
  StopPod: 'stop',
  ScalePod: 'scale',
  RestartPod: 'restart',
};

export function actionName(action: string): string {
  return ACTIONS[action] ?? action.toLowerCase();
}

/** What a deployment is doing to an app now (or, before it started, will do first). */
export function deploymentActionFor(deployment: MarathonDeployment, appId: string): string | undefined {
  const current = deployment.currentActions.find((a) => a.app === appId);
  if (current) return actionName(current.action);
  for (const step of deployment.steps) {
    const planned = step.actions.find((a) => a.app === appId);
    if (planned) return actionName(planned.action);
  }
  return undefined;
}

export interface AppRow {
  app: MarathonAppStatus;
  /** The action of the deployment running on it, if any. */
  deployment: string | undefined;
  /** Instances are waiting in the launch queue. */
  waiting: boolean;
}

export async function listAppRows(scheduler: MarathonClient): Promise<AppRow[]> {
  const [apps, deployments, queue] = await Promise.all([scheduler.listApps(), scheduler.listDeployments(), scheduler.queue()]);
  return apps
    .sort((a, b) => compareText(a.id, b.id))
    .map((app) => {
      const running = deployments.filter((d) => d.affectedApps.includes(app.id) || app.deployments?.some((r) => r.id === d.id));
      const action = running.map((d) => deploymentActionFor(d, app.id)).find((a) => a !== undefined);
      return { app, deployment: action, waiting: queue.some((q) => q.app.id === app.id && q.count > 0) };
    });
}

/**
 * One version of an app: an ISO 8601 timestamp, or a negative number counting back from the
 * current one (-1 is the previous version).
 */
export async function appAtVersion(scheduler: MarathonClient, rawId: string, version: string): Promise<Record<string, unknown>> {
  const id = normalizeAppId(rawId);
  if (/^[+-]?\d+$/.test(version.trim())) {
    const n = Number(version);
    if (n >= 0) throw new UsageError(`relative versions must be negative: ${version}`, { hint: 'Use -1 for the previous version, or an ISO 8601 timestamp.' });
    const versions = await aboutApp(scheduler, id, () => scheduler.appVersions(id));
    if (-n >= versions.length) {
      throw new DcosError('ENO_VERSION', `application '${id}' only has ${versions.length} version(s)`, {
        hint: `See them with "dcos marathon app version list ${id}".`,
      });
    }
    return scheduler.appVersion(id, versions[-n]);
  }
  const time = Date.parse(version);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(version) || Number.isNaN(time)) {
    throw new UsageError(`invalid timestamp provided '${version}'`, { hint: 'Use an ISO 8601 timestamp such as 2024-05-01T12:00:00.000Z, or a negative relative version such as -1.' });
  }
  const versions = await aboutApp(scheduler, id, () => scheduler.appVersions(id));
  const exact = versions.find((v) => v === version) ?? versions.find((v) => Date.parse(v) === time);
  if (!exact) {
    throw new DcosError('ENO_VERSION', `App '${id}' does not exist in version ${version}`, { hint: `See its versions with "dcos marathon app version list ${id}".` });
  }
  return scheduler.appVersion(id, exact);
}

export async function appVersionList(scheduler: MarathonClient, rawId: string, maxCount?: number): Promise<string[]> {
  const id = normalizeAppId(rawId);
  const versions = await aboutApp(scheduler, id, () => scheduler.appVersions(id));
  return maxCount === undefined ? versions : versions.slice(0, maxCount);
}

/**
 * `key=value` properties of an app update: each value is JSON when it parses, and a plain string
 * otherwise (so `cmd=sleep 100` works), unless it looks like JSON that is broken.
 */
export function parseAppProperties(pairs: readonly string[]): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid property '${pair}': expected key=value`, { hint: 'For example: dcos marathon app update /web instances=3 env=\'{"MODE":"prod"}\'' });
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    if (key in props) throw new UsageError(`property '${key}' is given more than once`);
    try {
      props[key] = JSON.parse(raw);
    } catch (err) {
      if (/^\s*[[{"]/.test(raw)) throw new UsageError(`invalid JSON value for '${key}': ${(err as Error).message}`, { hint: `Quote the value for the shell, e.g. ${key}='{"a":1}'.` });
      props[key] = raw;
    }
  }
  return props;
}

export async function createApp(scheduler: MarathonClient, definition: Record<string, unknown>): Promise<{ app: MarathonAppStatus; deploymentId: string }> {
  if (typeof definition.id !== 'string' || definition.id === '') throw new DcosError('EINVALID', 'The app definition has no "id"');
  const id = normalizeAppId(definition.id);
  try {
    return await scheduler.createApp(definition);
  } catch (err) {
    if ((err as DcosError).code === 'ECONFLICT') {
      throw new DcosError('EEXISTS', `Application '${id}' already exists`, { hint: `Change it with "dcos marathon app update ${id}".` });
    }
    throw err;
  }
}

/** Updates an existing app (a PUT to a missing app would create it, so that is checked first). */
export async function updateApp(scheduler: MarathonClient, rawId: string, changes: Record<string, unknown>, force: boolean): Promise<DeploymentRef> {
  const app = await requireApp(scheduler, rawId);
  if (Object.keys(changes).length === 0) throw new UsageError('Nothing to update: give key=value properties, or a JSON object on stdin');
  return aboutApp(scheduler, app.id, () => scheduler.updateApp(app.id, changes, { force }));
}

export async function removeApp(scheduler: MarathonClient, rawId: string, force: boolean): Promise<DeploymentRef> {
  const id = normalizeAppId(rawId);
  return aboutApp(scheduler, id, () => scheduler.deleteApp(id, { force }));
}

export async function restartApp(scheduler: MarathonClient, rawId: string, force: boolean): Promise<DeploymentRef> {
  const app = await requireApp(scheduler, rawId);
  if (!app.tasksRunning) {
    throw new DcosError('ENO_TASKS', `unable to perform rolling restart of application '${app.id}' because it has no running tasks`, {
      hint: `Start it first: "dcos marathon app update ${app.id} instances=1".`,
    });
  }
  return aboutApp(scheduler, app.id, () => scheduler.restartApp(app.id, { force }));
}

export async function killAppTasks(scheduler: MarathonClient, rawId: string, opts: { scale: boolean; host?: string }): Promise<{ tasks?: MarathonTask[]; deploymentId?: string }> {
  const app = await requireApp(scheduler, rawId);
  return aboutApp(scheduler, app.id, () => scheduler.killTasks(app.id, { scale: opts.scale, host: opts.host }));
}

// Deployments ----------------------------------------------------------------------------------

export async function listDeployments(scheduler: MarathonClient, appId?: string): Promise<MarathonDeployment[]> {
  const all = await scheduler.listDeployments();
  if (!appId) return all;
  const id = normalizeAppId(appId);
  return all.filter((d) => d.affectedApps.includes(id));
}

async function aboutDeployment<T>(scheduler: MarathonClient, id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const ids = (await scheduler.listDeployments().catch(() => [])).map((d) => d.id);
    throw new DcosError('ENOT_FOUND', `Deployment '${id}' does not exist`, {
      hint: didYouMean(id, ids) ?? (ids.length ? 'See the running ones with "dcos marathon deployment list".' : 'There are no deployments running.'),
    });
  }
}

/** Cancels a deployment and starts one that reverts its changes. */
export async function rollbackDeployment(scheduler: MarathonClient, id: string): Promise<DeploymentRef | undefined> {
  return aboutDeployment(scheduler, id, () => scheduler.deleteDeployment(id));
}

/** Cancels a deployment, leaving things as they are. */
export async function stopDeployment(scheduler: MarathonClient, id: string): Promise<void> {
  await aboutDeployment(scheduler, id, () => scheduler.deleteDeployment(id, { force: true }));
}

export async function findDeployment(scheduler: MarathonClient, id: string): Promise<MarathonDeployment | undefined> {
  return (await scheduler.listDeployments()).find((d) => d.id === id);
}

// Marathon tasks -------------------------------------------------------------------------------

export async function listMarathonTasks(scheduler: MarathonClient, appId?: string): Promise<MarathonTask[]> {
  const id = appId === undefined ? undefined : normalizeAppId(appId);
  const tasks = id === undefined ? await scheduler.listTasks() : await aboutApp(scheduler, id, () => scheduler.listTasks(id));
  return tasks.sort((a, b) => compareText(a.appId, b.appId) || compareText(a.id, b.id));
}

function taskNotFound(id: string, tasks: readonly MarathonTask[]): DcosError {
  const containing = tasks.filter((t) => t.id.includes(id)).map((t) => t.id);
  const hint = containing.length ? `Did you mean ${containing.slice(0, 3).map((c) => `"${c}"`).join(' or ')}?` : didYouMean(id, tasks.map((t) => t.id));
  return new DcosError('ENOT_FOUND', `Task '${id}' does not exist`, { hint: hint ?? 'See the tasks with "dcos marathon task list".' });
}

export async function showMarathonTask(scheduler: MarathonClient, id: string): Promise<MarathonTask> {
  const tasks = await scheduler.listTasks();
  const task = tasks.find((t) => t.id === id);
  if (!task) throw taskNotFound(id, tasks);
  return task;
}

export async function killMarathonTasks(scheduler: MarathonClient, ids: readonly string[], opts: { scale: boolean; wipe: boolean }): Promise<{ tasks?: MarathonTask[]; deploymentId?: string }> {
  if (opts.scale && opts.wipe) throw new UsageError('You cannot use --scale and --wipe at the same time');
  const tasks = await scheduler.listTasks();
  const unknown = ids.find((id) => !tasks.some((t) => t.id === id));
  if (unknown !== undefined) throw taskNotFound(unknown, tasks);
  return scheduler.killTasks('', { taskIds: [...ids], scale: opts.scale, wipe: opts.wipe });
}
