/**
 * The one way a task's state changes: the store first, then memory, then what follows (events,
 * freed resources, the next step). A write that fails (the database locked by another connection,
 * a full disk) changes nothing in memory and throws nothing: the change waits, in order behind any
 * other change of the same task still waiting, and is retried (after 1 s, then up to every 5 s)
 * until the store takes it. Nothing is dropped; the daemon log says when writes start failing,
 * every minute while they keep failing, and when they work again. A daemon stopped meanwhile loses
 * only what its successor's recovery finds out again from the task processes themselves.
 *
 * Decisions are made on `view(task)`, the task as it will be once its waiting changes are stored,
 * so a task is never killed or ended twice while the store catches up.
 */
import type { Task } from '../types.js';
import { LogLimiter } from './log-limiter.js';
import type { ClusterState, TaskFailure } from './state.js';

export interface TaskChange {
  /** The fields that change. */
  set: Partial<Task>;
  /** The task reached a terminal state: it moves to the completed tasks. */
  finish?: boolean;
  /** Recorded as its app's last task failure, with the change. */
  failure?: TaskFailure;
  /** Runs once memory has the change; `before` is the task as it was. */
  then?: (before: Task) => void;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5000;
const LOG_EVERY_MS = 60_000;

export class TaskCommits {
  /** Per task (in the order they first waited): its changes, oldest first. */
  private readonly waiting = new Map<string, { task: Task; changes: TaskChange[] }>();
  private timer?: NodeJS.Timeout;
  private timerDue = 0;
  private retryMs = FIRST_RETRY_MS;
  private failingSince?: number;
  private readonly failureLog: LogLimiter;

  constructor(
    private readonly state: ClusterState,
    private readonly log: (message: string) => void,
    private readonly now: () => number,
    /** Called when waiting changes were stored (the scheduler may have work again). */
    private readonly caughtUp: () => void = () => undefined,
  ) {
    this.failureLog = new LogLimiter(now, LOG_EVERY_MS);
  }

  /** Whether the last write failed (and none succeeded since). */
  private get failing(): boolean {
    return this.failingSince !== undefined;
  }

  /** How many tasks have changes waiting for the store. */
  get backlog(): number {
    return this.waiting.size;
  }

  /** The task as it will be once its waiting changes are stored. */
  view(task: Task): Task {
    const queued = this.waiting.get(task.id);
    return queued ? Object.assign({ ...task }, ...queued.changes.map((c) => c.set)) : task;
  }

  /** Stores the change and applies it; true if that happened now, false if it waits for the store. */
  apply(task: Task, change: TaskChange): boolean {
    const queued = this.waiting.get(task.id);
    if (queued) {
      // Behind the task's earlier changes, never before them.
      if (!queued.changes.some((c) => c.finish)) queued.changes.push(change);
      return false;
    }
    if (this.write(task, [change])) return true;
    this.waiting.set(task.id, { task, changes: [change] });
    this.schedule();
    return false;
  }

  /**
   * Writes a new task (the store first: a task the store does not have must not exist in memory).
   * Throws the store's error; a launch that fails is simply tried again by a later pass.
   */
  create(task: Task): void {
    try {
      this.state.store.putTask(task);
    } catch (err) {
      this.failed(err);
      throw err;
    }
    this.worked();
  }

  /** One last try at everything waiting (daemon shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.retry();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes the task with all of `changes` in one transaction, then applies them to memory in order. */
  private write(task: Task, changes: TaskChange[]): boolean {
    const record: Task = Object.assign({ ...task }, ...changes.map((c) => c.set));
    const finish = changes.some((c) => c.finish);
    // Kept only while the app exists, and only the newest of an app (as memory keeps it).
    const failures = changes
      .map((c) => c.failure)
      .filter((f): f is TaskFailure => f !== undefined && this.state.apps.has(f.appId) && !this.isOlder(f));
    const store = this.state.store;
    try {
      store.transaction(() => {
        for (const f of failures) store.putFailure(f.appId, f);
        if (finish) store.completeTask(record);
        else store.putTask(record);
      });
    } catch (err) {
      this.failed(err);
      return false;
    }
    this.worked();
    for (const change of changes) {
      const before = { ...task };
      Object.assign(task, change.set);
      if (change.failure && failures.includes(change.failure)) this.state.failures.set(change.failure.appId, change.failure);
      if (change.finish) this.state.moveToCompleted(task);
      try {
        change.then?.(before);
      } catch (err) {
        this.log(`after a change of task ${task.id}: ${(err as Error).stack ?? String(err)}`);
      }
    }
    return true;
  }

  private isOlder(f: TaskFailure): boolean {
    const current = this.state.failures.get(f.appId);
    return current !== undefined && current.timestamp > f.timestamp;
  }

  /** A retry after `delay` (the current backoff by default), unless one is due sooner. */
  private schedule(delay = this.retryMs): void {
    if (this.waiting.size === 0) return;
    const due = this.now() + delay;
    if (this.timer && this.timerDue <= due) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const before = this.retryMs;
      this.retry();
      // Still failing: wait longer next time (a success has reset the backoff meanwhile).
      if (this.failing && this.retryMs === before) this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  /** Retries the waiting changes, oldest task first; stops at the first write that still fails. */
  private retry(): void {
    let stored = 0;
    for (const id of [...this.waiting.keys()]) {
      const queued = this.waiting.get(id);
      if (!queued) continue;
      // Taken off first: what follows a change may change the same task again.
      this.waiting.delete(id);
      if (!this.write(queued.task, queued.changes)) {
        // Back at the head of the line.
        const rest = [...this.waiting];
        this.waiting.clear();
        this.waiting.set(id, queued);
        for (const [other, changes] of rest) this.waiting.set(other, changes);
        break;
      }
      stored += 1;
    }
    if (stored > 0) this.caughtUp();
  }

  /** Said when writes start failing, then at most once a minute while they keep failing. */
  private failed(err: unknown): void {
    const now = this.now();
    const message = (err as Error).message ?? String(err);
    const first = this.failingSince === undefined;
    // A new spell of failures is said at once, however soon after the last one.
    if (first) this.failureLog.reset();
    const since = (this.failingSince ??= now);
    if (!this.failureLog.allows()) return;
    if (first) {
      this.log(`the store cannot be written (${message}): changes of tasks wait, memory keeping what is stored, and are retried until it can`);
    } else {
      this.log(`the store still cannot be written, for ${Math.round((now - since) / 1000)}s (${message}); changes of ${this.waiting.size} task(s) wait`);
    }
  }

  private worked(): void {
    if (this.failingSince !== undefined) {
      this.log(`the store can be written again after ${Math.round((this.now() - this.failingSince) / 1000)}s`);
      this.failingSince = undefined;
    }
    this.retryMs = FIRST_RETRY_MS;
    // Changes still waiting go next, now that the store takes writes.
    this.schedule(0);
  }
}
