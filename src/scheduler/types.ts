/**
 * What actions see of a cluster: small cluster-neutral interfaces returning our own types. Every
 * cluster kind implements them: the Marathon driver (the embedded cluster, DC/OS, bare Marathon),
 * the Kubernetes driver and the in-memory one for unit tests. Nothing here is Marathon's or Mesos'
 * API JSON: a driver translates its cluster's answers into these.
 *
 * Two vocabularies are shared on purpose. A service's definition is a Marathon app definition,
 * because that is what the universe renders for every cluster kind. Task states are named as Mesos
 * names them (TASK_RUNNING, ...), because that is what `dcos task` has always printed and what
 * scripts match on; every driver maps its own states onto them.
 */
import type { AppDefinition as MarathonAppDefinition } from '../marathon/app-types.js';

/** The app definition as the universe renders it and a cluster runs it. */
export type AppDefinition = MarathonAppDefinition & Record<string, unknown>;

export type ClusterKind = 'marathon' | 'kubernetes' | 'memory';

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
  | 'TASK_DROPPED'
  | 'TASK_GONE'
  | 'TASK_UNREACHABLE'
  | 'TASK_UNKNOWN'
  | (string & {});

/** The states a task does not leave: it has ended. */
export const ENDED_STATES: ReadonlySet<string> = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_LOST']);

/** A task (a Marathon task, a Kubernetes pod): one running copy of a service. */
export interface Task {
  id: string;
  /** The service it belongs to, when it is one of the cluster's services. */
  serviceId?: string;
  name: string;
  state: TaskState;
  /** The node it runs on (an agent id, a node name) and that node's hostname. */
  nodeId?: string;
  host?: string;
  /** Its own address, where it has one apart from its node's (a pod IP). */
  ip?: string;
  ports: number[];
  /** The service version (configuration) it runs. */
  version?: string;
  stagedAt?: string | null;
  startedAt?: string | null;
  /** null: the service has no health checks; undefined: not known yet. */
  healthy?: boolean | null;
  /** The last reason a health check failed. */
  healthCause?: string | null;
  /** What a task not running is doing or why it ended (e.g. "pulling redis:7", "ImagePullBackOff: ..."). */
  message?: string;
  user?: string;
  /** It has ended (listed only when finished tasks are asked for). */
  completed: boolean;
  /** The persistent volumes it runs on. */
  volumes?: Array<{ containerPath: string; persistenceId: string }>;
  /** The cluster's own record of it, printed as it is by --json (Mesos' task JSON on Marathon clusters). */
  record: Record<string, unknown>;
}

export interface TaskFailure {
  taskId: string;
  state: string;
  message: string;
  timestamp: string;
  version: string;
  nodeId?: string;
}

/** A service: what a package install or an app definition runs, with its current state. */
export interface Service {
  id: string;
  instances: number;
  labels: Record<string, string>;
  /** What the cluster runs, as an app definition. */
  definition: AppDefinition;
  /** The current version; `configChangedAt` the last change that was not a scale. */
  version: string;
  configChangedAt: string;
  lastScaledAt?: string;
  resources: { cpus: number; mem: number; disk: number };
  hasHealthChecks: boolean;
  counts: { running: number; healthy: number; staged: number; unhealthy: number };
  /** Deployments (rollouts) in progress. */
  deploymentIds: string[];
  /** Present when asked for. */
  tasks?: Task[];
  lastFailure?: TaskFailure;
  /** The cluster says its deployment cannot finish, and why (a rollout past its progress deadline). */
  rolloutFailure?: string;
  /** The cluster's own record of it, printed as it is by --json. */
  record: Record<string, unknown>;
}

export interface DeploymentRef {
  deploymentId: string;
  version?: string;
}

export interface DeploymentAction {
  action: string;
  serviceId: string;
}

/** A deployment (a Marathon deployment, a Kubernetes rollout) in progress. */
export interface Deployment {
  id: string;
  version: string;
  serviceIds: string[];
  steps: DeploymentAction[][];
  currentActions: DeploymentAction[];
  currentStep: number;
  totalSteps: number;
}

/** Whether a task that waits for room can ever be placed. */
export type Placement =
  | { verdict: 'fits' }
  /** Asks for more than every node has in all: no change on the cluster helps. */
  | { verdict: 'too-big'; reason: string }
  /** No node has room, and nothing running is about to free enough. */
  | { verdict: 'no-room'; reason: string };

/** Tasks of a service that wait to be launched, and why. */
export interface PendingTasks {
  serviceId: string;
  count: number;
  /** The cluster's sentence on why they wait. */
  reason?: string;
  /** A launch delay (after failures), in seconds. */
  delaySeconds?: number;
  /** Set when asked: whether they can ever be placed. */
  placement?: Placement;
}

/** What the cluster says as it happens; a driver without a stream of events yields none. */
export type ClusterEvent =
  | { type: 'task-status'; serviceId: string; taskId: string; state: TaskState; message?: string; nodeId?: string }
  /**
   * A task killed because its health check failed; with `killed: false`, a check that failed past
   * its threshold without a kill (a Kubernetes readiness probe).
   */
  | { type: 'unhealthy-kill'; serviceId: string; taskId: string; reason: string; killed?: boolean }
  /** Something else about these services changed (a deployment step, a health change). */
  | { type: 'changed'; serviceIds: string[] };

/** A task's log or sandbox file, read from its end and then as it grows. */
export interface LogReader {
  /**
   * The last `lines` complete lines and the unfinished line after them; later reads start after
   * those complete lines. Rejects with ENOT_FOUND when there is no such file.
   */
  tail(lines: number): Promise<{ lines: string[]; partial: string }>;
  /** Complete lines written since the last read (with `flush`, the unfinished last one too). */
  next(flush?: boolean): Promise<string[]>;
  close(): void;
}

export interface FileEntry {
  path: string;
  size: number;
  mtime: number;
  mode: string;
  nlink?: number;
  uid?: string;
  gid?: string;
}

export interface TaskRef {
  id: string;
  nodeId?: string;
}

export interface ClusterNode {
  id: string;
  hostname: string;
  ip?: string;
  status: 'active' | 'inactive';
  cpus: { used: number; total: number };
  mem: { used: number; total: number };
  disk: { used: number; total: number };
  /** The cluster's own record of it, printed as it is by --json. */
  record: Record<string, unknown>;
}

/** Something else that runs tasks on the cluster (a Mesos framework); Kubernetes has none. */
export interface Framework {
  id: string;
  name: string;
  host?: string;
  active: boolean;
  completed: boolean;
  tasks: number;
  resources: { cpus: number; mem: number; disk: number };
}

export interface VolumeRow {
  appId: string;
  /** The instance (Marathon's reservation, a StatefulSet's pod) the volume belongs to. */
  instanceId: string;
  persistenceId: string;
  containerPath: string;
  sizeMb: number;
  /** Bytes in use, when the cluster says (null: not measured). */
  usedBytes: number | null;
  /** `in use` by a running task, `suspended` (scaled down, kept), or `destroying`. */
  state: string;
  taskId?: string;
}

export interface ClusterInfo {
  kind: ClusterKind;
  /** The scheduler's version (Marathon's, the Kubernetes server's). */
  version?: string;
  /** Kubernetes: the namespace services go to. */
  namespace?: string;
}

export interface Services {
  listServices(opts?: { tasks?: boolean; label?: string }): Promise<Service[]>;
  /** With its tasks and last failure; undefined when there is none. */
  getService(id: string): Promise<Service | undefined>;
  createService(definition: AppDefinition): Promise<DeploymentRef>;
  /** Replaces the definition (a package update). */
  updateService(id: string, definition: AppDefinition, opts?: { force?: boolean }): Promise<DeploymentRef>;
  scaleService(id: string, instances: number, opts?: { force?: boolean }): Promise<DeploymentRef>;
  removeService(id: string, opts?: { force?: boolean }): Promise<DeploymentRef>;
}

export interface Deployments {
  listDeployments(): Promise<Deployment[]>;
  /** Tasks waiting to be launched; with `placement`, whether each can ever be placed. */
  pendingTasks(opts?: { placement?: boolean }): Promise<PendingTasks[]>;
  /** Ends when `signal` aborts. Rejects when the cluster has no stream of events. */
  events(signal: AbortSignal): AsyncIterable<ClusterEvent>;
}

export interface Tasks {
  listTasks(opts?: { serviceId?: string; active?: boolean; completed?: boolean }): Promise<Task[]>;
  /** A reader of one of the task's files (stdout, stderr, ...); undefined when the task has none (not launched, or gone). */
  openLog(task: TaskRef, file: string): Promise<LogReader | undefined>;
  /**
   * The entries of a directory (or the one file) at `path`, a normalized path relative to the
   * task's sandbox, and where that sandbox is. Rejects with ENOT_FOUND, EOUTSIDE_SANDBOX or ENO_SANDBOX.
   */
  listFiles(task: TaskRef, path: string): Promise<{ directory: string; entries: FileEntry[] }>;
}

export interface Nodes {
  listNodes(): Promise<ClusterNode[]>;
  listFrameworks(opts?: { completed?: boolean }): Promise<Framework[]>;
  /** The persistent volumes of these services, by service id. */
  volumes(services: readonly Service[]): Promise<Map<string, VolumeRow[]>>;
}

/** One attached cluster, whatever its kind. */
export interface Scheduler extends Services, Deployments, Tasks, Nodes {
  readonly kind: ClusterKind;
  /**
   * How long a task without health checks must have run before it counts as up, where the
   * cluster reports task states late (default: the watch's own).
   */
  readonly stableMs?: number;
  /** Where it is, for messages. */
  readonly url: string;
  info(): Promise<ClusterInfo>;
}
