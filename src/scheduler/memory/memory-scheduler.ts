/**
 * A cluster in memory, for unit tests of actions: services, tasks, deployments, logs, nodes and
 * events behave as a cluster's do, at once and deterministically, and a test scripts what it
 * needs (a task that fails, a health check that never passes, tasks that cannot be placed).
 * It is a test double of a cluster, and says so in its kind.
 */
import { DcosError } from '../../core/errors.js';
import type {
  AppDefinition,
  ClusterEvent,
  ClusterInfo,
  ClusterNode,
  Deployment,
  DeploymentRef,
  FileEntry,
  Framework,
  LogReader,
  PendingTasks,
  Scheduler,
  Service,
  Task,
  TaskFailure,
  TaskRef,
  VolumeRow,
} from '../types.js';
import { EventQueue } from '../event-queue.js';

/** What a task of a service does when it is launched. */
export type Outcome =
  /** Runs (and is healthy, when the service has health checks). */
  | { kind: 'runs' }
  /** Runs, but its health check fails with this cause. */
  | { kind: 'unhealthy'; cause: string }
  /** Exits at once with this message, having written these stderr lines. */
  | { kind: 'fails'; message: string; stderr?: string[] }
  /** Is never launched: it waits to be placed. */
  | { kind: 'pending'; reason: string; placement?: PendingTasks['placement'] }
  /** Runs, but the deployment never finishes, and the cluster says why (a rollout past its deadline). */
  | { kind: 'stuck'; reason: string };

interface Entry {
  definition: AppDefinition;
  version: string;
  configChangedAt: string;
  lastScaledAt: string;
  tasks: Task[];
  deploymentId?: string;
  lastFailure?: TaskFailure;
}

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryScheduler implements Scheduler {
  readonly kind = 'memory' as const;
  readonly url = 'memory://cluster';
  /** Requests made, by method, for tests that check what an action asked. */
  readonly calls: string[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly outcomes = new Map<string, Outcome>();
  private readonly logs = new Map<string, Record<string, string>>();
  private readonly listeners = new Set<(e: ClusterEvent) => void>();
  private clock = Date.UTC(2026, 0, 1);
  private seq = 0;

  constructor(private readonly nodes: ClusterNode[] = [MemoryScheduler.node('node-1', 'node-1.local')]) {}

  static node(id: string, hostname: string, total = { cpus: 4, mem: 8192, disk: 10240 }): ClusterNode {
    return {
      id,
      hostname,
      status: 'active',
      cpus: { used: 0, total: total.cpus },
      mem: { used: 0, total: total.mem },
      disk: { used: 0, total: total.disk },
      record: { id, hostname },
    };
  }

  /** What the tasks of `serviceId` do from now on (default: they run). */
  script(serviceId: string, outcome: Outcome): void {
    this.outcomes.set(serviceId, outcome);
  }

  /** Appends to a task's file (stdout, stderr, ...). */
  write(taskId: string, file: string, text: string): void {
    const files = this.logs.get(taskId) ?? {};
    files[file] = (files[file] ?? '') + text;
    this.logs.set(taskId, files);
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private emit(event: ClusterEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private require(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new DcosError('ENOT_FOUND', `App '${id}' does not exist`);
    return entry;
  }

  /**
   * Starts a deployment that brings a service's tasks to its instance count under its current
   * outcome. The tasks launch a moment later, as on a cluster: after the caller has had the time
   * to start watching.
   */
  private reconcile(id: string, entry: Entry, restart: boolean): string {
    const deploymentId = `deployment-${++this.seq}`;
    entry.deploymentId = deploymentId;
    setTimeout(() => {
      if (this.entries.get(id) === entry && entry.deploymentId === deploymentId) this.launch(id, entry, restart);
    }, 5);
    return deploymentId;
  }

  private launch(id: string, entry: Entry, restart: boolean): void {
    const instances = entry.definition.instances ?? 1;
    const outcome = this.outcomes.get(id) ?? { kind: 'runs' };
    const hasChecks = (entry.definition.healthChecks ?? []).length > 0;
    const taskIdOf = () => `${id.replace(/^\//, '').replace(/\//g, '_')}.${++this.seq}`;
    if (restart) entry.tasks = [];
    entry.tasks = entry.tasks.slice(0, instances);
    if (outcome.kind === 'pending') return;
    if (outcome.kind === 'fails') {
      // A cluster retries a failing task: three failures, as a crash loop shows them.
      for (let attempt = 0; attempt < 3; attempt++) {
        const taskId = taskIdOf();
        for (const line of outcome.stderr ?? []) this.write(taskId, 'stderr', `${line}\n`);
        entry.lastFailure = { taskId, state: 'TASK_FAILED', message: outcome.message, timestamp: new Date().toISOString(), version: entry.version };
        this.emit({ type: 'task-status', serviceId: id, taskId, state: 'TASK_FAILED', message: outcome.message });
      }
      return;
    }
    while (entry.tasks.length < instances) {
      const taskId = taskIdOf();
      const node = this.nodes[entry.tasks.length % this.nodes.length];
      entry.tasks.push({
        id: taskId,
        serviceId: id,
        name: id.replace(/^\//, ''),
        state: 'TASK_RUNNING',
        nodeId: node?.id,
        host: node?.hostname,
        ports: [10000 + this.seq],
        version: entry.version,
        stagedAt: this.now(),
        // Started long enough ago to count as stable.
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        healthy: hasChecks ? outcome.kind === 'runs' : null,
        healthCause: outcome.kind === 'unhealthy' ? outcome.cause : null,
        completed: false,
        record: { id: taskId },
      });
      this.write(taskId, 'stdout', `started ${taskId}\n`);
      this.emit({ type: 'task-status', serviceId: id, taskId, state: 'TASK_RUNNING' });
    }
    // An unhealthy service's deployment never ends: its tasks never pass their checks.
    if (!(outcome.kind === 'unhealthy' && hasChecks) && outcome.kind !== 'stuck') entry.deploymentId = undefined;
    this.emit({ type: 'changed', serviceIds: [id] });
  }

  private toService(id: string, entry: Entry, withTasks: boolean): Service {
    const running = entry.tasks.filter((t) => t.state === 'TASK_RUNNING');
    const hasHealthChecks = (entry.definition.healthChecks ?? []).length > 0;
    return {
      id,
      instances: entry.definition.instances ?? 1,
      labels: { ...(entry.definition.labels ?? {}) },
      definition: clone(entry.definition),
      version: entry.version,
      configChangedAt: entry.configChangedAt,
      lastScaledAt: entry.lastScaledAt,
      resources: { cpus: entry.definition.cpus ?? 1, mem: entry.definition.mem ?? 128, disk: entry.definition.disk ?? 0 },
      hasHealthChecks,
      counts: {
        running: running.length,
        healthy: running.filter((t) => t.healthy === true).length,
        staged: 0,
        unhealthy: running.filter((t) => t.healthy === false).length,
      },
      deploymentIds: entry.deploymentId ? [entry.deploymentId] : [],
      ...(withTasks ? { tasks: clone(entry.tasks) } : {}),
      ...(entry.lastFailure ? { lastFailure: { ...entry.lastFailure } } : {}),
      ...(this.outcomes.get(id)?.kind === 'stuck' && entry.deploymentId ? { rolloutFailure: (this.outcomes.get(id) as { reason: string }).reason } : {}),
      record: { ...clone(entry.definition), version: entry.version },
    };
  }

  async info(): Promise<ClusterInfo> {
    this.calls.push('info');
    return { kind: 'memory', version: 'memory' };
  }

  async listServices(opts: { tasks?: boolean; label?: string } = {}): Promise<Service[]> {
    this.calls.push('listServices');
    return [...this.entries]
      .filter(([, e]) => !opts.label || (e.definition.labels ?? {})[opts.label] !== undefined)
      .map(([id, e]) => this.toService(id, e, Boolean(opts.tasks)));
  }

  async getService(id: string): Promise<Service | undefined> {
    this.calls.push('getService');
    const entry = this.entries.get(id);
    return entry ? this.toService(id, entry, true) : undefined;
  }

  async createService(definition: AppDefinition): Promise<DeploymentRef> {
    this.calls.push('createService');
    const id = definition.id.startsWith('/') ? definition.id : `/${definition.id}`;
    if (this.entries.has(id)) throw new DcosError('ECONFLICT', `An app with id [${id}] already exists.`);
    const version = this.now();
    const entry: Entry = { definition: { ...clone(definition), id }, version, configChangedAt: version, lastScaledAt: version, tasks: [] };
    this.entries.set(id, entry);
    return { deploymentId: this.reconcile(id, entry, false), version };
  }

  async updateService(id: string, definition: AppDefinition, _opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    this.calls.push('updateService');
    const entry = this.require(id);
    entry.definition = { ...clone(definition), id };
    entry.version = entry.configChangedAt = this.now();
    return { deploymentId: this.reconcile(id, entry, true), version: entry.version };
  }

  async scaleService(id: string, instances: number, _opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    this.calls.push('scaleService');
    const entry = this.require(id);
    entry.definition = { ...entry.definition, instances };
    entry.version = entry.lastScaledAt = this.now();
    return { deploymentId: this.reconcile(id, entry, false), version: entry.version };
  }

  async removeService(id: string, _opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    this.calls.push('removeService');
    this.require(id);
    this.entries.delete(id);
    this.emit({ type: 'changed', serviceIds: [id] });
    return { deploymentId: `deployment-${++this.seq}` };
  }

  async listDeployments(): Promise<Deployment[]> {
    this.calls.push('listDeployments');
    return [...this.entries]
      .filter(([, e]) => e.deploymentId)
      .map(([id, e]) => ({
        id: e.deploymentId as string,
        version: e.version,
        serviceIds: [id],
        steps: [[{ action: 'ScaleApplication', serviceId: id }]],
        currentActions: [{ action: 'ScaleApplication', serviceId: id }],
        currentStep: 1,
        totalSteps: 1,
      }));
  }

  async pendingTasks(opts: { placement?: boolean } = {}): Promise<PendingTasks[]> {
    this.calls.push('pendingTasks');
    const out: PendingTasks[] = [];
    for (const [id, e] of this.entries) {
      const outcome = this.outcomes.get(id);
      const missing = (e.definition.instances ?? 1) - e.tasks.length;
      if (outcome?.kind !== 'pending' || missing <= 0) continue;
      out.push({ serviceId: id, count: missing, reason: outcome.reason, ...(opts.placement && outcome.placement ? { placement: outcome.placement } : {}) });
    }
    return out;
  }

  async *events(signal: AbortSignal): AsyncIterable<ClusterEvent> {
    const queue = new EventQueue<ClusterEvent>();
    const listener = (e: ClusterEvent) => queue.push(e);
    this.listeners.add(listener);
    try {
      yield* queue.read(signal);
    } finally {
      this.listeners.delete(listener);
    }
  }

  async listTasks(opts: { serviceId?: string; active?: boolean; completed?: boolean } = {}): Promise<Task[]> {
    this.calls.push('listTasks');
    const all = [...this.entries].flatMap(([id, e]) => (opts.serviceId && opts.serviceId !== id ? [] : e.tasks));
    return opts.active === false ? [] : clone(all);
  }

  async openLog(task: TaskRef, file: string): Promise<LogReader | undefined> {
    this.calls.push('openLog');
    const files = this.logs.get(task.id);
    if (!files) return undefined;
    let offset = 0;
    const text = () => {
      const content = files[file];
      if (content === undefined) throw new DcosError('ENOT_FOUND', `No file ${file}`);
      return content;
    };
    return {
      async tail(lines) {
        const all = text();
        const cut = all.lastIndexOf('\n');
        const complete = cut < 0 ? [] : all.slice(0, cut).split('\n');
        offset = cut + 1;
        return { lines: lines === 0 ? [] : complete.slice(-lines), partial: all.slice(cut + 1) };
      },
      async next(flush = false) {
        const rest = (files[file] ?? '').slice(offset);
        const cut = rest.lastIndexOf('\n');
        const take = flush ? rest : rest.slice(0, cut + 1);
        offset += take.length;
        return take === '' ? [] : take.replace(/\n$/, '').split('\n');
      },
      close() {},
    };
  }

  async listFiles(task: TaskRef, path: string): Promise<{ directory: string; entries: FileEntry[] }> {
    this.calls.push('listFiles');
    const files = this.logs.get(task.id);
    if (!files) throw new DcosError('ENO_SANDBOX', `The sandbox of task ${task.id} is gone`);
    const directory = `/sandbox/${task.id}`;
    const entries = Object.entries(files)
      .filter(([name]) => path === '.' || name === path)
      .map(([name, content]) => ({ path: `${directory}/${name}`, size: Buffer.byteLength(content), mtime: this.clock / 1000, mode: '-rw-r--r--' }));
    if (entries.length === 0) throw new DcosError('ENOT_FOUND', `${path}: no such file or directory`);
    return { directory, entries };
  }

  async listNodes(): Promise<ClusterNode[]> {
    this.calls.push('listNodes');
    return clone(this.nodes);
  }

  async listFrameworks(): Promise<Framework[]> {
    this.calls.push('listFrameworks');
    return [];
  }

  async volumes(): Promise<Map<string, VolumeRow[]>> {
    this.calls.push('volumes');
    return new Map();
  }
}
