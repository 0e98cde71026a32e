/** The Scheduler for the attached cluster (starting the local one when needed). */
import type { ActionCtx } from '../core/context.js';
import { ensureCluster } from './cluster.js';
import { bareEndpoints, dcosEndpoints, MarathonScheduler } from '../scheduler/marathon/client.js';
import type { Scheduler } from '../scheduler/types.js';

export async function connectScheduler(ctx: ActionCtx, notify: (message: string) => void): Promise<Scheduler> {
  const target = await ensureCluster(ctx, notify);
  const endpoints = target.kind === 'marathon' ? bareEndpoints(target.marathonUrl, target.mesosUrl) : dcosEndpoints(target.url);
  return new MarathonScheduler(endpoints, {
    token: target.token,
    insecure: target.insecure,
    caCert: target.caCert,
    timeoutSeconds: ctx.config.getNumber('core.timeout') ?? 180,
    signal: ctx.signal,
  });
}
