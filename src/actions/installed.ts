/**
 * Installed packages, read back from the cluster: an app carrying DCOS_PACKAGE_* labels is an
 * installed package. Nothing is recorded anywhere else, so nothing can drift.
 */
import { DcosError } from '../core/errors.js';
import { normalizeAppId } from '../marathon/app-id.js';
import { decodeDefinitionLabel, decodeOptionsLabel, LABEL } from '../universe/labels.js';
import type { PackageDefinition } from '../universe/model.js';
import type { JsonObject } from '../universe/options.js';
import type { Scheduler, SchedulerApp } from '../scheduler/types.js';

export type InstallStatus = 'deploying' | 'running' | 'degraded' | 'failed' | 'stopped';

export interface InstalledPackage {
  name: string;
  version: string;
  appId: string;
  status: InstallStatus;
  tasks: { running: number; healthy: number; wanted: number };
  hasHealthChecks: boolean;
  source?: string;
  description?: string;
  app: SchedulerApp;
}

export function statusOf(app: SchedulerApp): InstallStatus {
  const hasChecks = (app.healthChecks ?? []).length > 0;
  const wanted = app.instances;
  const good = hasChecks ? app.tasksHealthy : app.tasksRunning;
  // Tasks of the current version fail and none runs: failed, even while its deployment retries.
  const failing = app.lastTaskFailure !== undefined && app.lastTaskFailure.version === app.version;
  if (wanted > 0 && app.tasksRunning === 0 && failing) return 'failed';
  if (app.deployments.length > 0) return 'deploying';
  if (wanted === 0) return 'stopped';
  if (good >= wanted) return 'running';
  return 'degraded';
}

export function toInstalled(app: SchedulerApp): InstalledPackage | undefined {
  const name = app.labels?.[LABEL.name];
  if (!name) return undefined;
  let description: string | undefined;
  try {
    const encoded = app.labels[LABEL.definition];
    if (encoded) description = decodeDefinitionLabel(encoded).description;
  } catch {
    // an unreadable definition label does not hide the install
  }
  return {
    name,
    version: app.labels[LABEL.version] ?? '',
    appId: app.id,
    status: statusOf(app),
    tasks: { running: app.tasksRunning, healthy: app.tasksHealthy, wanted: app.instances },
    hasHealthChecks: (app.healthChecks ?? []).length > 0,
    source: app.labels[LABEL.source],
    description,
    app,
  };
}

export async function listInstalled(scheduler: Scheduler, filter: { name?: string; appId?: string } = {}): Promise<InstalledPackage[]> {
  const apps = await scheduler.listApps({ label: LABEL.name, embedFailures: true });
  const appId = filter.appId ? normalizeAppId(filter.appId) : undefined;
  return apps
    .map(toInstalled)
    .filter((p): p is InstalledPackage => p !== undefined)
    .filter((p) => (!filter.name || p.name === filter.name) && (!appId || p.appId === appId))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.appId < b.appId ? -1 : 1));
}

/** The one install of `name` (or the one at `appId`); refuses to guess between several. */
export async function findInstall(scheduler: Scheduler, name: string, appId?: string): Promise<InstalledPackage> {
  const found = await listInstalled(scheduler, { name, appId });
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
