/**
 * Installed packages, read back from the cluster: an app carrying DCOS_PACKAGE_* labels is an
 * installed package. Nothing is recorded anywhere else, so nothing can drift.
 */
import { DcosError } from '../core/errors.js';
import { normalizeAppId } from '../marathon/app-id.js';
import { decodeDefinitionLabel, decodeOptionsLabel, LABEL } from '../universe/labels.js';
import type { PackageDefinition } from '../universe/model.js';
import type { JsonObject } from '../universe/options.js';
import type { QueueItem, Scheduler, SchedulerApp } from '../scheduler/types.js';
import { configChangedAt, queueReason, runsCurrentConfig } from './app-state.js';
import { placementOfQueued } from './placement.js';

export type InstallStatus = 'deploying' | 'running' | 'degraded' | 'failed' | 'stopped';

export interface InstalledPackage {
  name: string;
  version: string;
  appId: string;
  status: InstallStatus;
  /** Why it is failed, deploying or degraded, when the cluster says: the last failure, the queue's reason. */
  problem?: string;
  tasks: { running: number; healthy: number; wanted: number };
  hasHealthChecks: boolean;
  source?: string;
  description?: string;
  app: SchedulerApp;
}

/** Why an install is not simply running, when the cluster says so; the queue entry of its app, if any. */
export interface StatusEvidence {
  queued?: QueueItem;
  /** Set when the queued task can never be placed. */
  unplaceable?: string;
}

export function statusOf(app: SchedulerApp, evidence: StatusEvidence = {}): { status: InstallStatus; problem?: string } {
  const hasChecks = (app.healthChecks ?? []).length > 0;
  const wanted = app.instances;
  const good = hasChecks ? app.tasksHealthy : app.tasksRunning;
  // Tasks of the current configuration fail (or are killed as unhealthy) and too few are up:
  // failed, even while its deployment retries.
  // The failure must also be newer than the last scale, or one kill long ago would make every
  // later scale-up look failed.
  const failure = app.lastTaskFailure;
  const since = [app.versionInfo?.lastScalingAt ?? '', configChangedAt(app)].sort().pop() ?? '';
  const failing = failure !== undefined && runsCurrentConfig(app, failure.version) && failure.timestamp >= since;
  if (wanted > 0 && good < wanted && failing) return { status: 'failed', problem: `${failure.message} (${failure.state}, task ${failure.taskId})` };
  if (wanted > good && evidence.unplaceable) return { status: 'failed', problem: `cannot be placed: ${evidence.unplaceable}` };
  const waiting = evidence.queued && evidence.queued.count > 0 ? waitingText(evidence.queued) : undefined;
  const problem = waiting ?? (good < wanted ? healthProblem(app) : undefined);
  if (app.deployments.length > 0) return { status: 'deploying', problem };
  if (wanted === 0) return { status: 'stopped' };
  if (good >= wanted) return { status: 'running' };
  return { status: 'degraded', problem };
}

/** The health check failing on running tasks, with its last cause (tasks come embedded in the list). */
function healthProblem(app: SchedulerApp): string | undefined {
  const failing = (app.tasks ?? []).filter((t) => t.state === 'TASK_RUNNING' && (t.healthCheckResults ?? []).some((r) => !r.alive && r.lastFailureCause));
  if (failing.length === 0) return undefined;
  const cause = failing[0].healthCheckResults?.find((r) => !r.alive && r.lastFailureCause)?.lastFailureCause;
  return `the health check fails on ${failing.length} task(s): ${cause}`;
}

function waitingText(q: QueueItem): string {
  const reason = queueReason(q);
  return `${q.count} task(s) waiting to be placed${reason ? `: ${reason}` : ''}`;
}

function toInstalled(app: SchedulerApp, evidence: StatusEvidence | undefined): InstalledPackage | undefined {
  const name = app.labels?.[LABEL.name];
  if (!name) return undefined;
  let description: string | undefined;
  try {
    const encoded = app.labels[LABEL.definition];
    if (encoded) description = decodeDefinitionLabel(encoded).description;
  } catch {
    // an unreadable definition label does not hide the install
  }
  const { status, problem } = statusOf(app, evidence ?? {});
  return {
    name,
    version: app.labels[LABEL.version] ?? '',
    appId: app.id,
    status,
    ...(problem ? { problem } : {}),
    tasks: { running: app.tasksRunning, healthy: app.tasksHealthy, wanted: app.instances },
    hasHealthChecks: (app.healthChecks ?? []).length > 0,
    source: app.labels[LABEL.source],
    description,
    app,
  };
}

/**
 * The installed packages, filtered by name or app id. With `status` (the default, for listings)
 * each carries its status and problem, which costs the tasks, the queue and, when something
 * waits, the master state; finding one install to change or remove needs none of that.
 */
export async function listInstalled(
  scheduler: Scheduler,
  filter: { name?: string; appId?: string } = {},
  opts: { status?: boolean } = {},
): Promise<InstalledPackage[]> {
  const withStatus = opts.status !== false;
  const [apps, queue] = await Promise.all([
    scheduler.listApps({ label: LABEL.name, ...(withStatus ? { embedTasks: true } : { embedFailures: true }) }),
    withStatus ? scheduler.queue().catch(() => []) : Promise.resolve([]),
  ]);
  const appId = filter.appId ? normalizeAppId(filter.appId) : undefined;
  const wanted = apps.filter((app) => (!filter.name || app.labels?.[LABEL.name] === filter.name) && (!appId || app.id === appId));
  const evidence = await queueEvidence(scheduler, wanted, queue);
  return wanted
    .map((app) => toInstalled(app, evidence.get(app.id)))
    .filter((p): p is InstalledPackage => p !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.appId < b.appId ? -1 : 1));
}

/** The queue entries of the apps with tasks waiting, and whether each can ever be placed. */
async function queueEvidence(scheduler: Scheduler, apps: readonly SchedulerApp[], queue: QueueItem[]): Promise<Map<string, StatusEvidence>> {
  const waiting = queue.filter((q) => q.count > 0 && apps.some((a) => a.id === q.app.id));
  const out = new Map<string, StatusEvidence>(waiting.map((q) => [q.app.id, { queued: q }]));
  if (waiting.length === 0) return out;
  // Only when something waits: the master state and the deployments say whether it ever fits.
  const [state, deployments] = await Promise.all([scheduler.mesosState().catch(() => undefined), scheduler.listDeployments().catch(() => undefined)]);
  if (!state || !deployments) return out;
  for (const q of waiting) {
    const app = apps.find((a) => a.id === q.app.id);
    const placement = placementOfQueued(state, deployments, q, app !== undefined && app.tasksRunning + app.tasksStaged > app.instances);
    if (placement.verdict !== 'fits') out.set(q.app.id, { queued: q, unplaceable: placement.reason });
  }
  return out;
}

/** The one install of `name` (or the one at `appId`); refuses to guess between several. */
export async function findInstall(scheduler: Scheduler, name: string, appId?: string): Promise<InstalledPackage> {
  const found = await listInstalled(scheduler, { name, appId }, { status: false });
  if (found.length === 0) {
    if (appId) throw new DcosError('ENOT_INSTALLED', `Package [${name}] with id [${normalizeAppId(appId)}] is not installed`);
    throw new DcosError('ENOT_INSTALLED', `Package [${name}] is not installed`, { hint: 'See what is installed with "dcos package list".' });
  }
  if (found.length > 1) {
    throw new DcosError('EAMBIGUOUS', `Multiple apps named [${name}] are installed: [${found.map((p) => p.appId).join(', ')}]`, {
      hint: 'Choose one with --app-id, or use --all where the command has it.',
    });
  }
  return found[0];
}

export function storedOptions(app: SchedulerApp): JsonObject {
  const encoded = app.labels?.[LABEL.options];
  return encoded ? decodeOptionsLabel(encoded) : {};
}

export function storedDefinition(app: SchedulerApp): PackageDefinition | undefined {
  const encoded = app.labels?.[LABEL.definition];
  try {
    return encoded ? decodeDefinitionLabel(encoded) : undefined;
  } catch {
    return undefined;
  }
}
