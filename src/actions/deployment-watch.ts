/**
 * Follows a deployment until the app's tasks are running and healthy (or the app is gone), driven
 * by the cluster's event stream with a slow poll as a safety net. When it cannot succeed it says
 * why, concretely: which task failed and the last lines of its stderr, which health check fails
 * and its last cause, or what the queue says cannot be placed.
 */
import { DcosError, ExitCode, type ErrorDetail } from '../core/errors.js';
import type { QueueItem, Scheduler, SchedulerApp } from '../scheduler/types.js';
import { stderrTail } from './task-files.js';
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

/** Failures that no retry will fix. */
const PERMANENT = [/neither Docker nor Podman/i, /Checksum mismatch/i, /Cannot run "/, /command not found/i];

const POLL_MS = 2000;
/**
 * A task without health checks counts as up only after running this long: a command that exits at
 * once is reported as the failure it is, not as a success that happened to be sampled running.
 */
export const STABLE_MS = 1000;

export async function watchDeployment(scheduler: Scheduler, opts: WatchOptions): Promise<WatchSnapshot> {
  const startedAt = Date.now();
  const maxFailures = opts.maxFailures ?? 3;
  const failures: Array<{ taskId: string; message: string; agentId?: string; at: number }> = [];
  const unhealthyKills: Array<{ taskId: string; reason: string }> = [];
  const seen = new Set<string>();
  let last: WatchSnapshot | undefined;
  let lastLines = new Map<string, string>();
  let wake: () => void = () => undefined;
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);

  const change = (message: string) => opts.onEvent({ type: 'change', at: new Date(), message });

  // The event stream makes the wait react at once; without one, polling still gets there.
  void (async () => {
    try {
      for await (const event of scheduler.events(signal)) {
        if (event.appId !== opts.appId && !(event.plan as { affectedApps?: string[] } | undefined)?.affectedApps?.includes(opts.appId)) continue;
        if (event.eventType === 'status_update_event' && ['TASK_FAILED', 'TASK_ERROR', 'TASK_FINISHED'].includes(String(event.taskStatus))) {
          const taskId = String(event.taskId);
          if (!seen.has(taskId)) {
            seen.add(taskId);
            failures.push({ taskId, message: String(event.message ?? event.taskStatus), agentId: event.slaveId as string | undefined, at: Date.now() });
          }
        }
        if (event.eventType === 'unhealthy_instance_kill_event') {
          unhealthyKills.push({ taskId: String(event.taskId), reason: String(event.reason ?? 'health check failed') });
        }
        wake();
      }
    } catch {
      // no event stream: polling alone
    }
  })();

  try {
    for (;;) {
      opts.signal.throwIfAborted();
      const { snapshot, queued } = await takeSnapshot(scheduler, opts, startedAt);
      opts.onEvent({ type: 'snapshot', snapshot });
      lastLines = describeChanges(last, snapshot, lastLines, change);
      last = snapshot;

      const done = isDone(snapshot, opts);
      if (done === true && !failedSince(failures, snapshot)) return snapshot;

      const permanent = failures.find((f) => PERMANENT.some((p) => p.test(f.message)));
      if (permanent || failures.length >= maxFailures) {
        const f = permanent ?? failures[failures.length - 1];
        throw await failedError(scheduler, opts.appId, `Task ${f.taskId} failed: ${f.message}`, f, failures.length);
      }
      if (unhealthyKills.length >= maxFailures) {
        const k = unhealthyKills[unhealthyKills.length - 1];
        throw new DcosError('EDEPLOY_FAILED', `The health check of ${opts.appId} keeps failing: ${unhealthyKills.length} tasks were killed as unhealthy`, {
          exitCode: ExitCode.deploymentFailed,
          details: [{ path: k.taskId, message: `last failure: ${k.reason}` }],
          showDetails: true,
          hint: `See its output with: dcos task log ${opts.appId} --stderr`,
        });
      }
      const unplaceable = await neverFits(scheduler, queued);
      if (unplaceable) {
        throw new DcosError('EDEPLOY_FAILED', `${opts.appId} cannot be placed: ${unplaceable}`, {
          exitCode: ExitCode.deploymentFailed,
          hint: 'Lower its resources (for a package: its cpus/mem options), or use a bigger node.',
        });
      }
      if (Date.now() - startedAt > opts.timeoutMs) throw timeoutError(opts, snapshot);

      // Waiting only for tasks to prove stable: look again as soon as they have.
      const delay = typeof done === 'number' ? Math.min(POLL_MS, Math.max(50, done)) : POLL_MS;
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

/** The snapshot, and the app's queue entry while it has tasks waiting (for `neverFits`). */
async function takeSnapshot(scheduler: Scheduler, opts: WatchOptions, startedAt: number): Promise<{ snapshot: WatchSnapshot; queued?: QueueItem }> {
  const [app, deployments, queue] = await Promise.all([
    scheduler.getApp(opts.appId),
    scheduler.listDeployments(),
    scheduler.queue().catch(() => []),
  ]);
  const dep = deployments.find((d) => (opts.deploymentId ? d.id === opts.deploymentId : d.affectedApps.includes(opts.appId)));
  const q = queue.find((item) => item.app.id === opts.appId);
  const hasChecks = (app?.healthChecks ?? []).length > 0;
  const tasks: TaskView[] = (app?.tasks ?? []).map((t) => {
    const results = t.healthCheckResults ?? [];
    const healthy = !hasChecks ? null : results.length > 0 && results.every((r) => r.alive);
    return {
      id: t.id,
      state: t.state,
      healthy,
      version: t.version,
      host: t.host,
      ports: t.ports,
      healthCause: results.find((r) => r.lastFailureCause)?.lastFailureCause ?? null,
      startedAt: t.startedAt,
    };
  });
  const reason = q?.lastUnusedOfferReason ?? q?.processedOffersSummary?.rejectSummaryLastOffers?.find((r) => r.declined > 0)?.reason;
  const queued = q && q.count > 0 ? q : undefined;
  const snapshot: WatchSnapshot = {
    appId: opts.appId,
    goal: opts.goal,
    deploymentId: dep?.id ?? opts.deploymentId,
    step: dep ? { current: dep.currentStep, total: dep.totalSteps, actions: dep.currentActions.map((a) => a.action) } : undefined,
    instances: app?.instances ?? 0,
    tasks,
    running: tasks.filter((t) => t.state === 'TASK_RUNNING').length,
    healthy: tasks.filter((t) => t.healthy === true).length,
    hasHealthChecks: hasChecks,
    queue: queued ? { count: queued.count, reason, delaySeconds: queued.delay.timeLeftSeconds || undefined } : undefined,
    lastFailure: app?.lastTaskFailure && Date.parse(app.lastTaskFailure.timestamp) >= startedAt ? `${app.lastTaskFailure.taskId}: ${app.lastTaskFailure.message}` : undefined,
    startedAt,
    elapsedMs: Date.now() - startedAt,
  };
  return { snapshot, queued };
}

/**
 * true: the deployment is over and every wanted task runs (healthy, with checks), or all are gone.
 * A number: only the stability of tasks without health checks is missing, in that many ms.
 */
function isDone(s: WatchSnapshot, opts: WatchOptions): boolean | number {
  if (s.step) return false;
  if (opts.goal === 'removed') return s.tasks.length === 0 && s.instances === 0;
  const ready = s.tasks.filter((t) => t.state === 'TASK_RUNNING' && (!s.hasHealthChecks || t.healthy === true));
  if (ready.length < s.instances || s.tasks.length !== s.instances) return false;
  if (s.hasHealthChecks) return true;
  const now = Date.now();
  const wait = Math.max(0, ...ready.map((t) => (t.startedAt ? Date.parse(t.startedAt) + STABLE_MS - now : STABLE_MS)));
  return wait === 0 ? true : wait;
}

/** A task failure seen after the tasks that look done started: they may be crashing in a loop. */
function failedSince(failures: ReadonlyArray<{ at: number }>, s: WatchSnapshot): boolean {
  if (failures.length === 0) return false;
  const newest = Math.max(...s.tasks.map((t) => (t.startedAt ? Date.parse(t.startedAt) : 0)));
  return failures.some((f) => f.at >= newest);
}

/** Announces what changed since the last snapshot, one line each. */
function describeChanges(prev: WatchSnapshot | undefined, next: WatchSnapshot, lines: Map<string, string>, say: (m: string) => void): Map<string, string> {
  const nextLines = new Map<string, string>();
  const put = (key: string, line: string) => {
    nextLines.set(key, line);
    if (lines.get(key) !== line) say(line);
  };
  if (next.step) put('step', `deployment ${next.deploymentId?.slice(0, 8)}: step ${next.step.current}/${next.step.total} ${next.step.actions.join(', ')}`);
  for (const t of next.tasks) {
    const health = t.healthy === null ? '' : t.healthy ? ', healthy' : t.healthCause ? `, unhealthy (${t.healthCause})` : ', health unknown';
    put(`task:${t.id}`, `task ${t.id} ${t.state}${health}`);
  }
  for (const key of lines.keys()) if (key.startsWith('task:') && !nextLines.has(key)) say(`task ${key.slice(5)} gone`);
  if (next.queue) put('queue', `waiting to place ${next.queue.count} task(s)${next.queue.reason ? `: ${next.queue.reason}` : ''}${next.queue.delaySeconds ? ` (next try in ${next.queue.delaySeconds}s)` : ''}`);
  if (next.lastFailure) put('failure', `last failure: ${next.lastFailure}`);
  if (!prev || prev.running !== next.running || prev.healthy !== next.healthy || prev.instances !== next.instances) {
    nextLines.set('counts', '');
    say(next.goal === 'removed'
      ? `${next.tasks.length} task(s) left`
      : `${next.running}/${next.instances} running${next.hasHealthChecks ? `, ${next.healthy}/${next.instances} healthy` : ''}`);
  }
  return nextLines;
}

async function failedError(scheduler: Scheduler, appId: string, message: string, f: { taskId: string; agentId?: string }, count: number): Promise<DcosError> {
  const details: ErrorDetail[] = [];
  const tail = await stderrTail(scheduler, f.taskId, f.agentId, 10).catch(() => []);
  for (const line of tail) details.push({ path: 'stderr', message: line });
  return new DcosError('EDEPLOY_FAILED', `${message}${count > 1 ? ` (${count} task failures)` : ''}`, {
    exitCode: ExitCode.deploymentFailed,
    details,
    showDetails: true,
    hint: `See its whole output with: dcos task log ${f.taskId} --stderr`,
  });
}

function timeoutError(opts: WatchOptions, s: WatchSnapshot): DcosError {
  const details: ErrorDetail[] = [];
  details.push({ path: 'tasks', message: `${s.running}/${s.instances} running${s.hasHealthChecks ? `, ${s.healthy}/${s.instances} healthy` : ''}` });
  for (const t of s.tasks) {
    if (t.healthy === false && t.healthCause) details.push({ path: t.id, message: `health check fails: ${t.healthCause}` });
    else if (t.state !== 'TASK_RUNNING') details.push({ path: t.id, message: t.state });
  }
  if (s.queue) details.push({ path: 'queue', message: `${s.queue.count} task(s) not placed${s.queue.reason ? `: ${s.queue.reason}` : ''}` });
  if (s.lastFailure) details.push({ path: 'last failure', message: s.lastFailure });
  return new DcosError('EDEPLOY_TIMEOUT', `Timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${opts.appId} to be ${opts.goal === 'removed' ? 'removed' : 'running and healthy'}`, {
    exitCode: ExitCode.timeout,
    details,
    showDetails: true,
    hint: 'The deployment goes on in the cluster. Follow it with "dcos marathon deployment list", or wait longer with --timeout.',
  });
}

/** A queued task that asks for more than the whole node has can never be placed. */
async function neverFits(scheduler: Scheduler, q: QueueItem | undefined): Promise<string | undefined> {
  if (!q) return undefined;
  const state = await scheduler.mesosState().catch(() => undefined);
  const slaves = state?.slaves ?? [];
  if (slaves.length !== 1) return undefined;
  const total = slaves[0].resources as { cpus?: number; mem?: number; disk?: number };
  const need = q.app;
  const short: string[] = [];
  if ((need.cpus ?? 0) > (total.cpus ?? Infinity)) short.push(`needs ${need.cpus} cpus, the node has ${total.cpus}`);
  if ((need.mem ?? 0) > (total.mem ?? Infinity)) short.push(`needs ${need.mem} MB of memory, the node has ${total.mem}`);
  if ((need.disk ?? 0) > (total.disk ?? Infinity)) short.push(`needs ${need.disk} MB of disk, the node has ${total.disk}`);
  return short.length ? short.join('; ') : undefined;
}

export type { SchedulerApp };
