/**
 * Marathon's and Mesos' own JSON, as their APIs answer. Only the Marathon driver and the
 * `dcos marathon` commands (which are Marathon's API by name) see these.
 */

import type { HealthCheckResult } from '../../marathon/health-result.js';
import type { FileEntry } from '../types.js';

export type { HealthCheckResult };

export interface MarathonTask {
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

export interface MarathonTaskFailure {
  taskId: string;
  state: string;
  message: string;
  timestamp: string;
  version: string;
  host?: string;
  slaveId?: string;
}

export interface MarathonAppStatus {
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
  tasks?: MarathonTask[];
  lastTaskFailure?: MarathonTaskFailure;
  [key: string]: unknown;
}

export interface MarathonDeployment {
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

export interface MarathonEvent {
  eventType: string;
  [key: string]: unknown;
}

export interface FileChunk {
  data: string;
  offset: number;
}

/** An entry of an agent's files/browse.json: the shape dcos keeps for every cluster kind. */
export type SandboxEntry = FileEntry;

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

