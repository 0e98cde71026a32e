// Marathon's health bookkeeping for one check of one task (HealthCheckActor + Health).
import type { HealthCheck } from '../../marathon/app-types.js';
import type { HealthResult } from '../types.js';
import type { ProbeResult } from './health-probe.js';


/**
 * - `ok`: a success was recorded;
 * - `failed`: a counted failure;
 * - `ignored`: nothing recorded (1xx, task not running, or in the grace period before its first success);
 * - `kill`: a counted failure on a task that had already failed `maxConsecutiveFailures` times in a row.
 */
export type RecordVerdict = 'ok' | 'failed' | 'ignored' | 'kill';

const DEFAULT_GRACE_SECONDS = 300;
const DEFAULT_INTERVAL_SECONDS = 60;
const DEFAULT_MAX_FAILURES = 3;

export class HealthState {
  private firstSuccess: number | null = null;
  private lastSuccess: number | null = null;
  private lastFailure: number | null = null;
  private lastFailureCause: string | null = null;
  private consecutiveFailures = 0;

  constructor(
    readonly check: HealthCheck,
    readonly taskId: string,
    readonly instanceId: string,
  ) {}

  /** Rebuilds the state from a stored result (e.g. after a daemon restart). */
  static fromJSON(check: HealthCheck, result: HealthResult): HealthState {
    const state = new HealthState(check, result.taskId, result.instanceId);
    state.firstSuccess = parseTime(result.firstSuccess);
    state.lastSuccess = parseTime(result.lastSuccess);
    state.lastFailure = parseTime(result.lastFailure);
    state.lastFailureCause = result.lastFailureCause;
    state.consecutiveFailures = result.consecutiveFailures;
    return state;
  }

  /**
   * Records one probe outcome. `taskStartedAt` is when the task entered TASK_RUNNING (ms), or null
   * when it is not running: Marathon ignores failures of tasks that are not running.
   *
   * The kill decision is taken on the failure count *before* this failure, as Marathon does, so with
   * the default of 3 the task is killed by the 4th consecutive counted failure. The verdict stays
   * `kill` for further failures until the task is gone; the caller kills once.
   */
  record(result: ProbeResult, now: number, taskStartedAt: number | null): RecordVerdict {
    if (result.ignored) return 'ignored';
    if (result.ok) {
      this.firstSuccess ??= now;
      this.lastSuccess = now;
      this.consecutiveFailures = 0;
      return 'ok';
    }
    if (this.ignoresFailureAt(now, taskStartedAt)) return 'ignored';
    const max = this.check.maxConsecutiveFailures ?? DEFAULT_MAX_FAILURES;
    const kill = max > 0 && this.consecutiveFailures >= max;
    this.lastFailure = now;
    this.lastFailureCause = result.cause ?? 'unknown';
    this.consecutiveFailures += 1;
    return kill ? 'kill' : 'failed';
  }

  /** Has a success, and no failure after it. */
  get alive(): boolean {
    if (this.lastSuccess === null) return false;
    return this.lastFailure === null || this.lastSuccess > this.lastFailure;
  }

  toJSON(): HealthResult {
    return {
      alive: this.alive,
      consecutiveFailures: this.consecutiveFailures,
      firstSuccess: iso(this.firstSuccess),
      lastSuccess: iso(this.lastSuccess),
      lastFailure: iso(this.lastFailure),
      lastFailureCause: this.lastFailureCause,
      instanceId: this.instanceId,
      taskId: this.taskId,
    };
  }

  private ignoresFailureAt(now: number, taskStartedAt: number | null): boolean {
    if (taskStartedAt === null) return true;
    const graceMs = (this.check.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    return this.firstSuccess === null && taskStartedAt + graceMs > now;
  }
}

/** Time between two probes of the same task. */
export function nextDelayMs(check: HealthCheck): number {
  return (check.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
}

/**
 * A task counts as healthy when its app has no health checks, or when it has results and every
 * one of them is alive (Marathon's `tasksHealthy`).
 */
export function isHealthy(results: HealthResult[], hasChecks: boolean): boolean {
  if (!hasChecks) return true;
  return results.length > 0 && results.every((result) => result.alive);
}

function iso(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

function parseTime(value: string | null): number | null {
  if (value === null) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}
