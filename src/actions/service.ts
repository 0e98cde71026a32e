/** Services: the apps of the attached cluster, found by app id, service name or package name. */
import { DcosError } from '../core/errors.js';
import { normalizeAppId } from '../marathon/app-id.js';
import type { Scheduler, SchedulerApp } from '../scheduler/types.js';
import { didYouMean } from '../core/suggest.js';

export async function findService(scheduler: Scheduler, name: string): Promise<SchedulerApp> {
  const byId = await scheduler.getApp(normalizeAppId(name)).catch(() => undefined);
  if (byId) return byId;
  const apps = await scheduler.listApps();
  const matches = apps.filter((a) => a.labels?.DCOS_SERVICE_NAME === name || a.labels?.DCOS_PACKAGE_NAME === name);
  if (matches.length === 1) return (await scheduler.getApp(matches[0].id)) ?? matches[0];
  if (matches.length > 1) {
    throw new DcosError('EAMBIGUOUS', `Several services are called [${name}]: ${matches.map((a) => a.id).join(', ')}`, { hint: 'Give the app id instead.' });
  }
  throw new DcosError('ENOT_FOUND', `No service or app [${name}]`, {
    hint: didYouMean(name, apps.map((a) => a.id.replace(/^\//, ''))) ?? 'See them with "dcos marathon app list".',
  });
}
