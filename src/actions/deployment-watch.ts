/**
 * Follows a deployment until the app's tasks are running and healthy (or the app is gone), driven
 * by the cluster's event stream with a slow poll as a safety net. When it cannot succeed it says
 * why, concretely: which task failed and the last lines of its stderr, which health check fails
 * and its last cause, or what the queue says cannot be placed.
 */
import { DcosError, ExitCode, type ErrorDetail } from '../core/errors.js';
import { isMarkedPermanent } from '../core/task-failure.js';
import type { PendingTasks, Scheduler } from '../scheduler/types.js';
import { runsCurrentConfig } from './app-state.js';
import { stderrTail } from './task-files.js';
import { countsText, countTasks, delayText, failureText, waitingText } from './watch-text.js';
import type { TaskView, WatchEvent, WatchSnapshot } from './watch-types.js';

export interface WatchOptions {
  appId: string;
  deploymentId?: string;
  goal: 'running' | 'removed';
  timeoutMs: number;
  signal: AbortSignal;
  onEvent: (event: WatchEvent) => void;
  /** Task failures tolerated before the watch gives up (a crash loop). */
  maxFailures?: number;
}

/**
 * Failures that no retry will fix: the embedded cluster's agent marks them. The wordings are those
 * of agents from before the mark (a daemon outlives an upgrade of the CLI): no container runtime,
 * a checksum mismatch, a command that does not exist, a user the node does not have.
 */
const LEGACY_PERMANENT = [/neither Docker nor Podman is available/, /^Checksum mismatch for /, /^Cannot run .*: command not found$/, /^Cannot run the task as user "/];

function isPermanent(message: string): boolean {
  return isMarkedPermanent(message) || LEGACY_PERMANENT.some((p) => p.test(message));
}

const POLL_MS = 2000;
/** In plain output, a wait in the queue is told again at least this often, so a log never goes quiet. */
export const QUEUE_REPEAT_MS = 30_000;
/**
 * "No room, and nothing will free any" must hold this long before the watch gives up: a task that
 * has just been killed, or a deployment that has just ended, frees its resources moments later.
 */
export const NO_ROOM_SETTLE_MS = 3000;
/**
 * A task without health checks counts as up only after running this long: a command that exits at
 * once is reported as the failure it is, not as a success that happened to be sampled running.
 */
export const STABLE_MS = 1000;

export async function watchDeployment(scheduler: Scheduler, opts: WatchOptions): Promise<WatchSnapshot> {
  const startedAt = Date.now();
  const maxFailures = opts.maxFailures ?? 3;
  const failures: Array<{ taskId: string; message: string; nodeId?: string; at: number }> = [];
  const unhealthyKills: Array<{ taskId: string; reason: string; killed: boolean }> = [];
  /** The last status message of each task, from the event stream (what a staging task is doing). */
  const messages = new Map<string, string>();
  const seen = new Set<string>();
  const lines = new ChangeLines();
  let noRoomSince: number | undefined;
  let wake: () => void = () => undefined;
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);

  const change = (message: string) => opts.onEvent({ type: 'change', at: new Date(), message });

  // The event stream makes the wait react at once; without one, polling still gets there.
  void (async () => {
    try {
      for await (const event of scheduler.events(signal)) {
        if (event.type === 'changed' ? !event.serviceIds.includes(opts.appId) : event.serviceId !== opts.appId) continue;
        if (event.type === 'task-status') {
          messages.set(event.taskId, event.message ?? '');
          // While a service is removed its tasks end however they end: that is no failure of the removal.
          if (opts.goal === 'running' && ['TASK_FAILED', 'TASK_ERROR', 'TASK_FINISHED'].includes(event.state) && !seen.has(event.taskId)) {
            seen.add(event.taskId);
            failures.push({ taskId: event.taskId, message: event.message ?? event.state, nodeId: event.nodeId, at: Date.now() });
          }
        }
        if (event.type === 'unhealthy-kill' && opts.goal === 'running') unhealthyKills.push({ taskId: event.taskId, reason: event.reason, killed: event.killed !== false });
        wake();
      }
    } catch {
      // no event stream: polling alone
    }
  })();

  try {
    for (;;) {
      opts.signal.throwIfAborted();
      const { snapshot, queued, rolloutFailure } = await takeSnapshot(scheduler, opts, startedAt, messages);
      opts.onEvent({ type: 'snapshot', snapshot });
      for (const line of lines.update(snapshot, Date.now())) change(line);

      const done = isDone(snapshot, opts, scheduler.stableMs ?? STABLE_MS);
      if (done === true && !failedSince(failures, snapshot)) return snapshot;

      if (rolloutFailure && opts.goal === 'running') {
        throw new DcosError('EDEPLOY_FAILED', `The deployment of ${opts.appId} cannot finish: ${rolloutFailure}`, {
          exitCode: ExitCode.deploymentFailed,
          details: snapshot.tasks.filter((t) => t.state !== 'TASK_RUNNING' || t.healthy === false).map((t) => ({ path: t.id, message: t.message ?? t.healthCause ?? t.state })),
          showDetails: true,
          hint: `See its output with: dcos task log ${opts.appId}`,
        });
      }
      const permanent = failures.find((f) => isPermanent(f.message));
      if (permanent || failures.length >= maxFailures) {
        const f = permanent ?? failures[failures.length - 1];
        throw await failedError(scheduler, opts.appId, `Task ${f.taskId} failed: ${f.message}`, f, failures.length);
      }
      if (unhealthyKills.length >= maxFailures) {
        const k = unhealthyKills[unhealthyKills.length - 1];
        const how = k.killed ? `${unhealthyKills.length} tasks were killed as unhealthy` : `it failed past its threshold ${unhealthyKills.length} times`;
        throw new DcosError('EDEPLOY_FAILED', `The health check of ${opts.appId} keeps failing: ${how}`, {
          exitCode: ExitCode.deploymentFailed,
          details: [{ path: k.taskId, message: `last failure: ${k.reason}` }],
          showDetails: true,
          hint: `See its output with: dcos task log ${opts.appId} --stderr`,
        });
      }
      // Removing needs no room: only a deployment that starts tasks can be unplaceable.
      const placement = opts.goal === 'running' ? queued?.placement : undefined;
      if (placement?.verdict === 'too-big') {
        throw new DcosError('EDEPLOY_FAILED', `${opts.appId} cannot be placed: ${placement.reason}`, {
          exitCode: ExitCode.deploymentFailed,
          hint: 'Lower its resources (for a package: its cpus/mem options), or use a bigger node.',
        });
      }
      noRoomSince = placement?.verdict === 'no-room' ? (noRoomSince ?? Date.now()) : undefined;
      if (placement?.verdict === 'no-room' && Date.now() - (noRoomSince as number) >= NO_ROOM_SETTLE_MS) {
        const which = snapshot.tasks.length > 0 && queued ? `${queued.count} more task(s) of ${opts.appId}` : opts.appId;
        throw new DcosError('EDEPLOY_FAILED', `${which} cannot be placed: ${placement.reason}`, {
          exitCode: ExitCode.deploymentFailed,
          hint: 'Free resources first (scale down or remove another service: "dcos node" shows what is used), or lower its cpus/mem options.',
        });
      }
      if (Date.now() - startedAt > opts.timeoutMs) throw timeoutError(opts, snapshot, { failures, unhealthyKills });

      // Waiting only for tasks to prove stable: look again as soon as they have.
      const settle = noRoomSince !== undefined ? Math.max(50, noRoomSince + NO_ROOM_SETTLE_MS - Date.now()) : POLL_MS;
      const untilTimeout = Math.max(10, startedAt + opts.timeoutMs - Date.now() + 1);
      const delay = Math.min(settle, untilTimeout, typeof done === 'number' ? Math.min(POLL_MS, Math.max(50, done)) : POLL_MS);
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          opts.signal.removeEventListener('abort', finish);
          resolve();
        };
        const timer = setTimeout(finish, delay);
        wake = () => {
          clearTimeout(timer);
          // Let a burst of events settle into one refresh.
          setTimeout(finish, 50);
        };
        opts.signal.addEventListener('abort', finish, { once: true });
      });
    }
  } finally {
    stop.abort();
  }
}

/** The snapshot, and the service's pending tasks (with their placement) while it has some. */
async function takeSnapshot(
  scheduler: Scheduler,
  opts: WatchOptions,
  startedAt: number,
  messages: ReadonlyMap<string, string>,
): Promise<{ snapshot: WatchSnapshot; queued?: PendingTasks; rolloutFailure?: string }> {
  const [app, deployments, pending] = await Promise.all([
    scheduler.getService(opts.appId),
    scheduler.listDeployments(),
    scheduler.pendingTasks({ placement: true }).catch(() => []),
  ]);
  const dep = deployments.find((d) => (opts.deploymentId ? d.id === opts.deploymentId : d.serviceIds.includes(opts.appId)));
  const q = pending.find((item) => item.serviceId === opts.appId);
  const hasChecks = app?.hasHealthChecks ?? false;
  const tasks: TaskView[] = !app ? [] : (app.tasks ?? []).map((t) => {
    // What a staging task is doing: the cluster's own word on it, else the last event's.
    const message = t.message ?? messages.get(t.id);
    return {
      id: t.id,
      state: t.state,
      healthy: !hasChecks ? null : t.healthy === true,
      version: t.version ?? '',
      // Where the task answers: its own address where it has one (a pod IP), else its node's.
      host: t.ip ?? t.host ?? '',
      ports: t.ports,
      healthCause: t.healthCause ?? null,
      startedAt: t.startedAt,
      // A task launched before the last change of configuration runs the previous one.
      current: runsCurrentConfig(app, t.version),
      ...(t.state === 'TASK_STAGING' && message ? { message } : {}),
    };
  });
  const counts = countTasks(tasks, app?.instances ?? 0);
  const reason = q?.reason;
  const queued = q && q.count > 0 ? q : undefined;
  const snapshot: WatchSnapshot = {
    appId: opts.appId,
    goal: opts.goal,
    deploymentId: dep?.id ?? opts.deploymentId,
    step: dep ? { current: dep.currentStep, total: dep.totalSteps, actions: dep.currentActions.map((a) => a.action) } : undefined,
    instances: app?.instances ?? 0,
    tasks,
    running: counts.running,
    healthy: counts.healthy,
    hasHealthChecks: hasChecks,
    queue: queued ? { count: queued.count, reason, delaySeconds: queued.delaySeconds || undefined } : undefined,
    lastFailure: app?.lastFailure && Date.parse(app.lastFailure.timestamp) >= startedAt ? `${app.lastFailure.taskId}: ${app.lastFailure.message}` : undefined,
    startedAt,
    elapsedMs: Date.now() - startedAt,
  };
  return { snapshot, queued, rolloutFailure: app?.rolloutFailure };
}

/**
 * true: the deployment is over and every wanted task runs (healthy, with checks), or all are gone.
 * A number: only the stability of tasks without health checks is missing, in that many ms.
 */
function isDone(s: WatchSnapshot, opts: WatchOptions, stableMs: number): boolean | number {
  if (s.step) return false;
  if (opts.goal === 'removed') return s.tasks.length === 0 && s.instances === 0;
  const ready = s.tasks.filter((t) => t.state === 'TASK_RUNNING' && (!s.hasHealthChecks || t.healthy === true));
  if (ready.length < s.instances || s.tasks.length !== s.instances) return false;
  if (s.hasHealthChecks) return true;
  const now = Date.now();
  const wait = Math.max(0, ...ready.map((t) => (t.startedAt ? Date.parse(t.startedAt) + stableMs - now : stableMs)));
  return wait === 0 ? true : wait;
}

/** A task failure seen after the tasks that look done started: they may be crashing in a loop. */
function failedSince(failures: ReadonlyArray<{ at: number }>, s: WatchSnapshot): boolean {
  if (failures.length === 0) return false;
  const newest = Math.max(...s.tasks.map((t) => (t.startedAt ? Date.parse(t.startedAt) : 0)));
  return failures.some((f) => f.at >= newest);
}

/**
 * What changed since the last snapshot, one line each; a wait in the queue is told again every
 * QUEUE_REPEAT_MS even when nothing changed.
 */
export class ChangeLines {
  private said = new Map<string, { line: string; at: number }>();
  /** Since when some task of the app has been waiting in the queue (for "still waiting ... for"). */
  private queuedSince: number | undefined;

  update(next: WatchSnapshot, now: number): string[] {
    const out: string[] = [];
    const seen = new Map<string, { line: string; at: number }>();
    const put = (key: string, line: string) => {
      const before = this.said.get(key);
      if (before?.line !== line) out.push(line);
      seen.set(key, before?.line === line ? before : { line, at: now });
    };
    // Marathon's deployment ids are UUIDs, known by their start; other clusters' ids are short names.
    const shortId = next.deploymentId && /^[0-9a-f]{8}-/.test(next.deploymentId) ? next.deploymentId.slice(0, 8) : next.deploymentId;
    if (next.step) put('step', `deployment ${shortId}: step ${next.step.current}/${next.step.total} ${next.step.actions.join(', ')}`);
    for (const t of next.tasks) {
      const health = t.healthy === null ? '' : t.healthy ? ', healthy' : t.healthCause ? `, unhealthy (${t.healthCause})` : ', health unknown';
      const doing = t.message ? ` (${t.message})` : '';
      put(`task:${t.id}`, `task ${t.id} ${t.state}${doing}${health}${t.current === false ? ' (previous configuration)' : ''}`);
    }
    for (const key of this.said.keys()) if (key.startsWith('task:') && !seen.has(key)) out.push(`task ${key.slice(5)} gone`);
    this.queuedSince = next.queue ? (this.queuedSince ?? now) : undefined;
    if (next.queue) {
      const delay = delayText(next.queue);
      // The countdown changes every poll: only the reason decides whether the line is news.
      const before = this.said.get('queue');
      const line = waitingText(next.queue);
      if (before?.line === line && now - before.at < QUEUE_REPEAT_MS) seen.set('queue', before);
      else {
        out.push(before?.line === line ? `still ${line} (for ${Math.round((now - (this.queuedSince ?? now)) / 1000)}s)${delay}` : `${line}${delay}`);
        seen.set('queue', { line, at: now });
      }
    }
    if (next.lastFailure) put('failure', failureText(next.lastFailure));
    put('counts', countsText(next));
    this.said = seen;
    return out;
  }
}

async function failedError(scheduler: Scheduler, appId: string, message: string, f: { taskId: string; nodeId?: string }, count: number): Promise<DcosError> {
  const details: ErrorDetail[] = [];
  const tail = await stderrTail(scheduler, { id: f.taskId, nodeId: f.nodeId }, 10).catch(() => []);
  for (const line of tail) details.push({ path: 'stderr', message: line });
  return new DcosError('EDEPLOY_FAILED', `${message}${count > 1 ? ` (${count} task failures)` : ''}`, {
    exitCode: ExitCode.deploymentFailed,
    details,
    showDetails: true,
    hint: `See its whole output with: dcos task log ${f.taskId} --stderr`,
  });
}

function timeoutError(
  opts: WatchOptions,
  s: WatchSnapshot,
  seen: { failures: ReadonlyArray<{ taskId: string; message: string }>; unhealthyKills: ReadonlyArray<{ taskId: string; reason: string }> },
): DcosError {
  const details: ErrorDetail[] = [];
  details.push({ path: 'tasks', message: countsText(s) });
  // What went wrong while it waited, not only where the counts stand now.
  const kills = seen.unhealthyKills;
  if (kills.length) details.push({ path: 'killed as unhealthy', message: `${kills.length} task(s); the last, ${kills[kills.length - 1].taskId}: ${kills[kills.length - 1].reason}` });
  const failed = seen.failures;
  if (failed.length) details.push({ path: 'task failures', message: `${failed.length}; the last, ${failed[failed.length - 1].taskId}: ${failed[failed.length - 1].message}` });
  for (const t of s.tasks) {
    if (t.healthy === false && t.healthCause) details.push({ path: t.id, message: `health check fails: ${t.healthCause}` });
    else if (t.state !== 'TASK_RUNNING') details.push({ path: t.id, message: t.state });
  }
  if (s.queue) details.push({ path: 'queue', message: `${s.queue.count} task(s) not placed${s.queue.reason ? `: ${s.queue.reason}` : ''}` });
  if (s.lastFailure && !failed.some((f) => s.lastFailure?.startsWith(`${f.taskId}:`))) details.push({ path: 'last failure', message: s.lastFailure });
  return new DcosError('EDEPLOY_TIMEOUT', `Timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${opts.appId} to be ${opts.goal === 'removed' ? 'removed' : 'running and healthy'}`, {
    exitCode: ExitCode.timeout,
    details,
    showDetails: true,
    hint: 'The deployment goes on in the cluster. Follow it with "dcos marathon deployment list", or wait longer with --timeout.',
  });
}

