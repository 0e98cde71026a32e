/**
 * Installed packages, read back from the cluster: an app carrying DCOS_PACKAGE_* labels is an
 * installed package. Nothing is recorded anywhere else, so nothing can drift.
 */
import { DcosError } from '../core/errors.js';
import { normalizeAppId } from '../marathon/app-id.js';
import { decodeDefinitionLabel, decodeOptionsLabel, LABEL } from '../universe/labels.js';
import type { PackageDefinition } from '../universe/model.js';
import type { JsonObject } from '../universe/options.js';
import type { PendingTasks, Scheduler, Service } from '../scheduler/types.js';
import { runsCurrentConfig } from './app-state.js';

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
  app: Service;
}

/** Why an install is not simply running, when the cluster says so; the queue entry of its app, if any. */
export interface StatusEvidence {
  queued?: PendingTasks;
  /** Set when the queued task can never be placed. */
  unplaceable?: string;
}

export function statusOf(app: Service, evidence: StatusEvidence = {}): { status: InstallStatus; problem?: string } {
  const wanted = app.instances;
  const good = app.hasHealthChecks ? app.counts.healthy : app.counts.running;
  // Tasks of the current configuration fail (or are killed as unhealthy) and too few are up:
  // failed, even while its deployment retries.
  // The failure must also be newer than the last scale, or one kill long ago would make every
  // later scale-up look failed.
  const failure = app.lastFailure;
  const since = [app.lastScaledAt ?? '', app.configChangedAt].sort().pop() ?? '';
  const failing = failure !== undefined && runsCurrentConfig(app, failure.version) && failure.timestamp >= since;
  if (wanted > 0 && good < wanted && failing) return { status: 'failed', problem: `${failure.message} (${failure.state}, task ${failure.taskId})` };
  if (wanted > good && evidence.unplaceable) return { status: 'failed', problem: `cannot be placed: ${evidence.unplaceable}` };
  const waiting = evidence.queued && evidence.queued.count > 0 ? waitingText(evidence.queued) : undefined;
  const problem = waiting ?? (good < wanted ? healthProblem(app) : undefined);
  if (app.deploymentIds.length > 0) return { status: 'deploying', problem };
  if (wanted === 0) return { status: 'stopped' };
  if (good >= wanted) return { status: 'running' };
  return { status: 'degraded', problem };
}

/** The health check failing on running tasks, with its last cause (tasks come embedded in the list). */
function healthProblem(app: Service): string | undefined {
  const failing = (app.tasks ?? []).filter((t) => t.state === 'TASK_RUNNING' && t.healthy === false && t.healthCause);
  if (failing.length === 0) return undefined;
  return `the health check fails on ${failing.length} task(s): ${failing[0].healthCause}`;
}

function waitingText(q: PendingTasks): string {
  return `${q.count} task(s) waiting to be placed${q.reason ? `: ${q.reason}` : ''}`;
}

function toInstalled(app: Service, evidence: StatusEvidence | undefined): InstalledPackage | undefined {
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
    tasks: { running: app.counts.running, healthy: app.counts.healthy, wanted: app.instances },
    hasHealthChecks: app.hasHealthChecks,
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
  const [apps, pending] = await Promise.all([
    scheduler.listServices({ label: LABEL.name, tasks: withStatus }),
    withStatus ? scheduler.pendingTasks().catch(() => []) : Promise.resolve([]),
  ]);
  const appId = filter.appId ? normalizeAppId(filter.appId) : undefined;
  const wanted = apps.filter((app) => (!filter.name || app.labels?.[LABEL.name] === filter.name) && (!appId || app.id === appId));
  const evidence = await queueEvidence(scheduler, wanted, pending);
  return wanted
    .map((app) => toInstalled(app, evidence.get(app.id)))
    .filter((p): p is InstalledPackage => p !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.appId < b.appId ? -1 : 1));
}

/** The pending tasks of the apps with tasks waiting, and whether each can ever be placed. */
async function queueEvidence(scheduler: Scheduler, apps: readonly Service[], pending: PendingTasks[]): Promise<Map<string, StatusEvidence>> {
  const waiting = pending.filter((q) => q.count > 0 && apps.some((a) => a.id === q.serviceId));
  const out = new Map<string, StatusEvidence>(waiting.map((q) => [q.serviceId, { queued: q }]));
  if (waiting.length === 0) return out;
  // Only when something waits is the placement worth its cost (the nodes and the deployments).
  const placed = await scheduler.pendingTasks({ placement: true }).catch(() => undefined);
  for (const q of placed ?? []) {
    if (!out.has(q.serviceId) || q.count === 0 || !q.placement) continue;
    if (q.placement.verdict !== 'fits') out.set(q.serviceId, { queued: q, unplaceable: q.placement.reason });
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

export function storedOptions(app: Service): JsonObject {
  const encoded = app.labels?.[LABEL.options];
  return encoded ? decodeOptionsLabel(encoded) : {};
}

export function storedDefinition(app: Service): PackageDefinition | undefined {
  const encoded = app.labels?.[LABEL.definition];
  try {
    return encoded ? decodeDefinitionLabel(encoded) : undefined;
  } catch {
    return undefined;
  }
}
