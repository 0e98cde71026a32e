/**
 * What actions see of a cluster: the Scheduler interface and the Marathon-shaped data it returns.
 * Every cluster kind (the embedded one, DC/OS, bare Marathon, later Kubernetes) implements it.
 */

import type { HealthCheckResult } from '../marathon/health-result.js';

export type { HealthCheckResult };

export interface SchedulerTask {
  id: string;
  appId: string;
  host: string;
  ports: number[];
  state: string;
  version: string;
  stagedAt: string | null;
  startedAt: string | null;
  slaveId?: string;
  healthCheckResults?: HealthCheckResult[];
  /** The persistent volumes it runs on (resident apps). */
  localVolumes?: Array<{ containerPath: string; persistenceId: string }>;
}

export interface TaskFailure {
  taskId: string;
  state: string;
  message: string;
  timestamp: string;
  version: string;
  host?: string;
  slaveId?: string;
}

export interface SchedulerApp {
  id: string;
  instances: number;
  cpus: number;
  mem: number;
  disk?: number;
  cmd: string | null;
  args?: string[] | null;
  container?: { type?: string; docker?: { image?: string }; volumes?: Array<{ containerPath?: string; persistent?: { size?: number } | null; hostPath?: string }> } | null;
  labels: Record<string, string>;
  env?: Record<string, unknown>;
  healthChecks: Array<Record<string, unknown>>;
  portDefinitions?: Array<{ port?: number; name?: string }>;
  version: string;
  versionInfo?: { lastScalingAt: string; lastConfigChangeAt: string };
  tasksRunning: number;
  tasksHealthy: number;
  tasksStaged: number;
  tasksUnhealthy: number;
  deployments: Array<{ id: string }>;
  tasks?: SchedulerTask[];
  lastTaskFailure?: TaskFailure;
  [key: string]: unknown;
}

export interface DeploymentInfo {
  id: string;
  version: string;
  affectedApps: string[];
  steps: Array<{ actions: Array<{ action: string; app: string }> }>;
  currentActions: Array<{ action: string; app: string; readinessCheckResults?: unknown[] }>;
  currentStep: number;
  totalSteps: number;
}

export interface QueueItem {
  app: { id: string; cpus?: number; mem?: number; disk?: number; [key: string]: unknown };
  count: number;
  delay: { timeLeftSeconds: number; overdue: boolean };
  since?: string;
  processedOffersSummary?: {
    rejectSummaryLastOffers?: Array<{ reason: string; declined: number; processed: number }>;
    rejectSummaryLaunchAttempt?: Array<{ reason: string; declined: number; processed: number }>;
  };
  /** The embedded cluster's own sentence on why the last launch did not happen. */
  lastUnusedOfferReason?: string;
}

export interface DeploymentRef {
  deploymentId: string;
  version?: string;
}

export interface ClusterEvent {
  eventType: string;
  [key: string]: unknown;
}

export interface FileChunk {
  data: string;
  offset: number;
}

export interface SandboxEntry {
  path: string;
  size: number;
  mtime: number;
  mode: string;
  nlink?: number;
  uid?: string;
  gid?: string;
}

/** A task as the Mesos master reports it (completed ones included). */
export interface MesosTask {
  id: string;
  name: string;
  state: string;
  slave_id: string;
  framework_id: string;
  statuses?: Array<{ state: string; timestamp: number; healthy?: boolean }>;
  resources?: { cpus?: number; mem?: number; disk?: number };
}

export interface MesosState {
  slaves: Array<{ id: string; hostname: string; pid: string; resources: Record<string, unknown>; used_resources: Record<string, unknown>; active: boolean; [key: string]: unknown }>;
  frameworks: Array<{ id: string; name: string; user?: string; active: boolean; hostname?: string; tasks: MesosTask[]; completed_tasks: MesosTask[]; resources?: Record<string, unknown>; [key: string]: unknown }>;
  completed_frameworks?: Array<{ id: string; name: string; tasks: MesosTask[]; completed_tasks: MesosTask[]; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface Scheduler {
  /** Where it is, for messages. */
  readonly url: string;
  info(): Promise<Record<string, unknown>>;
  listApps(opts?: { embedTasks?: boolean; embedFailures?: boolean; label?: string }): Promise<SchedulerApp[]>;
  getApp(id: string): Promise<SchedulerApp | undefined>;
  createApp(app: Record<string, unknown>): Promise<{ app: SchedulerApp; deploymentId: string }>;
  updateApp(id: string, app: Record<string, unknown>, opts?: { force?: boolean; partial?: boolean }): Promise<DeploymentRef>;
  deleteApp(id: string, opts?: { force?: boolean }): Promise<DeploymentRef>;
  restartApp(id: string, opts?: { force?: boolean }): Promise<DeploymentRef>;
  appVersions(id: string): Promise<string[]>;
  appVersion(id: string, version: string): Promise<Record<string, unknown>>;
  listTasks(appId?: string): Promise<SchedulerTask[]>;
  killTasks(appId: string, opts?: { taskIds?: string[]; scale?: boolean; wipe?: boolean; host?: string }): Promise<{ tasks?: SchedulerTask[]; deploymentId?: string }>;
  listDeployments(): Promise<DeploymentInfo[]>;
  deleteDeployment(id: string, opts?: { force?: boolean }): Promise<DeploymentRef | undefined>;
  queue(): Promise<QueueItem[]>;
  /** Marathon's event stream; ends when `signal` aborts. Rejects when the cluster has none. */
  events(signal: AbortSignal): AsyncIterable<ClusterEvent>;
  mesosState(): Promise<MesosState>;
  agentState(agentId: string): Promise<Record<string, unknown>>;
  readFile(agentId: string, path: string, offset: number, length?: number): Promise<FileChunk>;
  browse(agentId: string, path: string): Promise<SandboxEntry[]>;
}
