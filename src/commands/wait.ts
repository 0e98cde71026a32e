/** Following a deployment from a command: live view on a terminal, timestamped lines elsewhere. */
import type { Ctx } from '../core/context.js';
import { asInterrupted, DcosError, ExitCode, isDcosError } from '../core/errors.js';
import { watchDeployment } from '../actions/deployment-watch.js';
import type { WatchSnapshot } from '../actions/watch-types.js';
import type { Scheduler } from '../scheduler/types.js';
import { createProgress } from '../ui/progress.js';
import type { Options } from './types.js';

/** --wait is the default; --no-wait turns it off. */
export function shouldWait(opts: Options): boolean {
  return opts.wait !== false;
}

export interface FollowTarget {
  appId: string;
  deploymentId?: string;
  goal: 'running' | 'removed';
  title: string;
  /**
   * What stays in the cluster when the wait ends without success (a failure, a timeout, Ctrl-C),
   * and the command that undoes it: the cluster goes on with the change, so the user must be told.
   */
  leftover?: { left: string; undo?: string };
}

export async function follow(ctx: Ctx, scheduler: Scheduler, opts: Options, target: FollowTarget): Promise<WatchSnapshot> {
  // Parsed to milliseconds, with its default, by the command line (registry: duration options).
  const timeoutMs = opts.timeout as number;
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
  } catch (err) {
    const cause = asInterrupted(err, ctx.signal);
    throw target.leftover ? withLeftover(cause, target.leftover) : cause;
  } finally {
    await progress.close();
  }
}

/** The wait's own failures (exit 3, 4 and 130) gain what is left behind and how to undo it. */
const ENDS_WAIT: readonly number[] = [ExitCode.deploymentFailed, ExitCode.timeout, ExitCode.interrupted];

export function withLeftover(err: unknown, leftover: { left: string; undo?: string }): unknown {
  if (!isDcosError(err) || !ENDS_WAIT.includes(err.exitCode)) return err;
  const note = leftover.undo ? `${leftover.left} ${leftover.undo}` : leftover.left;
  return new DcosError(err.code, err.message, {
    exitCode: err.exitCode,
    details: err.details,
    showDetails: err.showDetails,
    cause: err.cause,
    hint: [err.hint, note].filter(Boolean).join('\n'),
  });
}
