import type { Ctx } from '../../../core/context.js';
import { UsageError } from '../../../core/errors.js';
import { info, printJson } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { findDeployment } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal.addEventListener('abort', stop, { once: true });
  });
}

export interface WatchFlags {
  maxCount?: number;
  /** Milliseconds; always there (it has a default). */
  interval: number;
  json?: boolean;
}

/** Always JSON, so --json changes nothing. */
export async function run(ctx: Ctx, [id]: readonly [string], opts: WatchFlags): Promise<void> {
  const intervalMs = opts.interval;
  const maxCount = opts.maxCount;
  if (maxCount === 0) throw new UsageError('maximum count must be a positive number: 0');
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  for (let count = 0; maxCount === undefined || count < maxCount; count++) {
    if (count > 0) await pause(intervalMs, ctx.signal);
    if (ctx.signal.aborted) return;
    const deployment = await findDeployment(scheduler, id);
    if (!deployment) {
      info(ctx, count === 0 ? `Deployment ${id} is not running (it has finished, or never existed)` : `Deployment ${id} is done`);
      return;
    }
    info(ctx, `Deployment update time: ${ctx.now().toISOString()}`);
    printJson(ctx, deployment);
  }
}
