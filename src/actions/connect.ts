/** The Scheduler for the attached cluster (starting the local one when needed). */
import type { ActionCtx } from '../core/context.js';
import { DcosError } from '../core/errors.js';
import { openScheduler } from '../scheduler/factory.js';
import type { MarathonClient } from '../scheduler/marathon/client.js';
import type { Scheduler } from '../scheduler/types.js';
import { ensureCluster } from './cluster.js';

export async function connectScheduler(ctx: ActionCtx, notify: (message: string) => void): Promise<Scheduler> {
  const target = await ensureCluster(ctx, notify);
  return openScheduler(target, { timeoutSeconds: ctx.config.getNumber('core.timeout') ?? 180, signal: ctx.signal });
}

/** Marathon's own API, for the `dcos marathon` commands: only a Marathon cluster has it. */
export function marathonOf(scheduler: Scheduler): MarathonClient {
  const marathon = (scheduler as { marathon?: MarathonClient }).marathon;
  if (scheduler.kind !== 'marathon' || !marathon) {
    throw new DcosError('ENOT_MARATHON', `The attached cluster is a ${scheduler.kind} cluster: "dcos marathon" commands need a Marathon cluster`, {
      hint: 'Use the cluster-neutral commands instead: dcos service, dcos task, dcos package.',
    });
  }
  return marathon;
}

export async function connectMarathon(ctx: ActionCtx, notify: (message: string) => void): Promise<MarathonClient> {
  return marathonOf(await connectScheduler(ctx, notify));
}
