/** Services: the apps of the attached cluster, found by app id, service name or package name. */
import { DcosError } from '../core/errors.js';
import { normalizeAppId } from '../marathon/app-id.js';
import type { Scheduler, Service } from '../scheduler/types.js';
import { didYouMean } from '../core/suggest.js';
import { follow } from './follow.js';
import type { Session, WaitOptions } from './session.js';

export async function findService(scheduler: Scheduler, name: string): Promise<Service> {
  const byId = await scheduler.getService(normalizeAppId(name)).catch(() => undefined);
  if (byId) return byId;
  const apps = await scheduler.listServices();
  const matches = apps.filter((a) => a.labels?.DCOS_SERVICE_NAME === name || a.labels?.DCOS_PACKAGE_NAME === name);
  if (matches.length === 1) return (await scheduler.getService(matches[0].id)) ?? matches[0];
  if (matches.length > 1) {
    throw new DcosError('EAMBIGUOUS', `Several services are called [${name}]: ${matches.map((a) => a.id).join(', ')}`, { hint: 'Give the app id instead.' });
  }
  throw new DcosError('ENOT_FOUND', `No service or app [${name}]`, {
    hint: didYouMean(name, apps.map((a) => a.id.replace(/^\//, ''))) ?? `See them with "${scheduler.kind === 'marathon' ? 'dcos marathon app list' : 'dcos service list'}".`,
  });
}

export interface ScaleOptions extends WaitOptions {
  name: string;
  instances: number;
  force?: boolean;
}

export interface ScaleResult {
  appId: string;
  instances: number;
  deploymentId: string;
  status: 'running' | 'deploying';
}

/** `dcos service scale`: the new instance count, followed until that many tasks run. */
export async function scaleService(session: Session, opts: ScaleOptions): Promise<ScaleResult> {
  const scheduler = await session.connect();
  const app = await findService(scheduler, opts.name);
  const { instances } = opts;
  const { deploymentId } = await scheduler.scaleService(app.id, instances, { force: opts.force });
  session.notify(`Scaling ${app.id} from ${app.instances} to ${instances} instance(s)`);
  const result: ScaleResult = { appId: app.id, instances, deploymentId, status: 'deploying' };
  if (opts.wait) {
    const done = await follow(session, scheduler, {
      appId: app.id,
      deploymentId,
      goal: 'running',
      title: `Scaling ${app.id} to ${instances}`,
      timeoutMs: opts.timeoutMs,
      leftover: {
        left: `The scaling of ${app.id} to ${instances} goes on in the cluster (deployment ${deploymentId}).`,
        undo: `Go back with: dcos service scale ${app.id} ${app.instances} --force`,
      },
    });
    result.status = 'running';
    session.notify(`${app.id}: ${done.running}/${instances} running${done.hasHealthChecks ? `, ${done.healthy} healthy` : ''}`);
  }
  return result;
}
