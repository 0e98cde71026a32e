/** Following a deployment from a command: live view on a terminal, timestamped lines elsewhere. */
import type { Ctx } from '../core/context.js';
import { parseDuration } from '../core/duration.js';
import { watchDeployment } from '../actions/deployment-watch.js';
import type { WatchSnapshot } from '../actions/watch-types.js';
import type { Scheduler } from '../scheduler/types.js';
import { createProgress } from '../ui/progress.js';
import type { Options } from './types.js';

export const DEFAULT_TIMEOUT = '10m';

/** --wait is the default; --no-wait turns it off. */
export function shouldWait(opts: Options): boolean {
  return opts.wait !== false;
}

export async function follow(
  ctx: Ctx,
  scheduler: Scheduler,
  opts: Options,
  target: { appId: string; deploymentId?: string; goal: 'running' | 'removed'; title: string },
): Promise<WatchSnapshot> {
  const timeoutMs = parseDuration(String(opts.timeout ?? DEFAULT_TIMEOUT), '--timeout');
  const progress = await createProgress(ctx, target.title);
  try {
    return await watchDeployment(scheduler, {
      appId: target.appId,
      deploymentId: target.deploymentId,
      goal: target.goal,
      timeoutMs,
      signal: ctx.signal,
      onEvent: (e) => progress.onEvent(e),
    });
  } finally {
    await progress.close();
  }
}
