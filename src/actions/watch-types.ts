/** What a deployment watch reports while it waits: snapshots for a live view, changes as lines. */

export interface TaskView {
  id: string;
  state: string;
  /** null when the app has no health checks. */
  healthy: boolean | null;
  version: string;
  host: string;
  ports: number[];
  healthCause?: string | null;
  /** When the task started running (ISO), if it has. */
  startedAt?: string | null;
  /**
   * Whether the task runs the app's configuration being deployed (false: a task of the previous
   * configuration, which a rolling update replaces). Absent means current.
   */
  current?: boolean;
  /** What a task not running yet is doing, as its last status said (e.g. "pulling redis:7"). */
  message?: string;
}

export interface WatchSnapshot {
  appId: string;
  /** What is being waited for. */
  goal: 'running' | 'removed';
  deploymentId?: string;
  step?: { current: number; total: number; actions: string[] };
  instances: number;
  tasks: TaskView[];
  /** Running tasks of the current configuration, at most `instances`. */
  running: number;
  /** Healthy running tasks of the current configuration, at most `instances`. */
  healthy: number;
  hasHealthChecks: boolean;
  queue?: { count: number; reason?: string; delaySeconds?: number };
  lastFailure?: string;
  startedAt: number;
  elapsedMs: number;
}

export type WatchEvent =
  | { type: 'snapshot'; snapshot: WatchSnapshot }
  /** One line describing what changed, for logs and CI. */
  | { type: 'change'; at: Date; message: string };
