/** The embedded cluster's own model: what it stores and passes between its parts. */
import type { HealthCheck, NormalizedApp } from '../marathon/app-types.js';
import type { HealthCheckResult } from '../marathon/health-result.js';

/** Mesos task states, as Marathon reports them. */
export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_GONE'
  /** Never launched (Mesos: dropped before its executor ran); trying again may work. */
  | 'TASK_DROPPED';

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_GONE',
  'TASK_DROPPED',
]);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}

/** Marathon's health result, as the daemon reports it (with both the instance and the task named). */
export interface HealthResult extends HealthCheckResult {
  instanceId: string;
  taskId: string;
}

/** A task: one process (group) running one instance of an app. */
export interface Task {
  id: string;
  appId: string;
  /** The app version (timestamp) this task runs. */
  version: string;
  state: TaskState;
  /** What the scheduler wants: keep running, or kill and forget. */
  goal: 'running' | 'decommissioned';
  host: string;
  /** Host ports, in portDefinitions order. */
  ports: number[];
  servicePorts: number[];
  stagedAt: string;
  startedAt: string | null;
  /** Process group leader; null until launched. */
  pid: number | null;
  /** Identifies the process beyond its pid (start time from /proc), to tell a reused pid apart. */
  pidStart: string | null;
  sandbox: string;
  /** Why the task ended, or why it is not running yet. */
  message: string | null;
  exitCode: number | null;
  finishedAt: string | null;
  healthCheckResults: HealthResult[];
  /** Resources reserved for the task. */
  resources: { cpus: number; mem: number; disk: number; gpus: number };
  /** The task's container (named after the task), for a DOCKER container app. */
  container?: string;
  /** The instance's reservation (resident apps): the persistent volumes the task runs on. */
  reservationId?: string | null;
  /** Marathon's localVolumes of the task. */
  localVolumes?: Array<{ containerPath: string; persistenceId: string }>;
}

export type { HealthCheck, NormalizedApp };
