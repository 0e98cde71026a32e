/** Following a deployment for a use case: progress to the session's sink, and what is left on failure. */
import { asInterrupted, DcosError, ExitCode, isDcosError } from '../core/errors.js';
import type { Scheduler } from '../scheduler/types.js';
import { watchDeployment } from './deployment-watch.js';
import type { Session } from './session.js';
import type { WatchSnapshot } from './watch-types.js';

export interface FollowTarget {
  appId: string;
  deploymentId?: string;
  goal: 'running' | 'removed';
  title: string;
  timeoutMs: number;
  /**
   * What stays in the cluster when the wait ends without success (a failure, a timeout, Ctrl-C),
   * and the command that undoes it: the cluster goes on with the change, so the user must be told.
   */
  leftover?: { left: string; undo?: string };
}

export async function follow(session: Session, scheduler: Scheduler, target: FollowTarget): Promise<WatchSnapshot> {
  const progress = await session.progress(target.title);
  try {
    return await watchDeployment(scheduler, {
      appId: target.appId,
      deploymentId: target.deploymentId,
      goal: target.goal,
      timeoutMs: target.timeoutMs,
      signal: session.signal,
      onEvent: (e) => progress.onEvent(e),
    });
  } catch (err) {
    const cause = asInterrupted(err, session.signal);
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
