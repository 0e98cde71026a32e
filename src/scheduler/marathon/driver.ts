/**
 * The Scheduler of every Marathon cluster (the embedded one, DC/OS, bare Marathon and Mesos): the
 * cluster-neutral interfaces on Marathon's and Mesos' APIs. `marathon` is the API itself, for the
 * `dcos marathon` commands.
 */
import { appIdOfTaskId } from '../../marathon/app-id.js';
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
  TaskRef,
  VolumeRow,
} from '../types.js';
import { ENDED_STATES } from '../types.js';
import type { MarathonClient } from './client.js';
import { placementOfQueued } from './placement.js';
import { listSandboxFiles, openSandboxLog } from './sandbox.js';
import { deploymentOf, eventOf, frameworksOfState, nodesOfState, pendingOf, serviceOf, tasksOfState } from './translate.js';
import { volumesOf } from './volumes.js';


export class MarathonDriver implements Scheduler {
  readonly kind = 'marathon' as const;

  constructor(readonly marathon: MarathonClient) {}

  get url(): string {
    return this.marathon.url;
  }

  async info(): Promise<ClusterInfo> {
    const info = await this.marathon.info();
    return { kind: 'marathon', ...(typeof info.version === 'string' ? { version: info.version } : {}) };
  }

  async listServices(opts: { tasks?: boolean; label?: string } = {}): Promise<Service[]> {
    // Without tasks, the last failure still comes: an install's status needs it.
    return (await this.marathon.listApps({ embedTasks: opts.tasks, embedFailures: true, label: opts.label })).map(serviceOf);
  }

  async getService(id: string): Promise<Service | undefined> {
    const app = await this.marathon.getApp(id);
    return app ? serviceOf(app) : undefined;
  }

  async createService(definition: AppDefinition): Promise<DeploymentRef> {
    const { deploymentId } = await this.marathon.createApp(definition);
    return { deploymentId };
  }

  updateService(id: string, definition: AppDefinition, opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    return this.marathon.updateApp(id, definition, { partial: false, force: opts.force });
  }

  scaleService(id: string, instances: number, opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    return this.marathon.updateApp(id, { instances }, { force: opts.force });
  }

  removeService(id: string, opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    return this.marathon.deleteApp(id, opts);
  }

  async listDeployments(): Promise<Deployment[]> {
    return (await this.marathon.listDeployments()).map(deploymentOf);
  }

  async pendingTasks(opts: { placement?: boolean } = {}): Promise<PendingTasks[]> {
    const queue = await this.marathon.queue();
    const pending = queue.map(pendingOf);
    const waiting = queue.filter((q) => q.count > 0);
    if (!opts.placement || waiting.length === 0) return pending;
    const [state, deployments] = await Promise.all([this.marathon.mesosState().catch(() => undefined), this.marathon.listDeployments().catch(() => undefined)]);
    if (!state || !deployments) return pending;
    const marathon = state.frameworks.find((f) => f.name === 'marathon');
    for (const q of waiting) {
      // An app with more tasks than it wants is scaling down: its own deployment frees some.
      const live = (marathon?.tasks ?? []).filter((t) => !ENDED_STATES.has(t.state) && appIdOfTaskId(t.id) === q.app.id).length;
      const scalingDown = typeof q.app.instances === 'number' && live > q.app.instances;
      const item = pending.find((p) => p.serviceId === q.app.id);
      if (item) item.placement = placementOfQueued(state, deployments, q, scalingDown);
    }
    return pending;
  }

  async *events(signal: AbortSignal): AsyncIterable<ClusterEvent> {
    for await (const e of this.marathon.events(signal)) {
      const event = eventOf(e);
      if (event) yield event;
    }
  }

  async listTasks(opts: { serviceId?: string; active?: boolean; completed?: boolean } = {}): Promise<Task[]> {
    if (opts.serviceId) {
      // An app's own tasks, as Marathon knows them (ports, versions, health).
      return (await this.getService(opts.serviceId))?.tasks ?? [];
    }
    return tasksOfState(await this.marathon.mesosState(), { active: opts.active !== false, completed: Boolean(opts.completed) });
  }

  openLog(task: TaskRef, file: string): Promise<LogReader | undefined> {
    return openSandboxLog(this.marathon, task, file);
  }

  listFiles(task: TaskRef, path: string): Promise<{ directory: string; entries: FileEntry[] }> {
    return listSandboxFiles(this.marathon, task, path);
  }

  async listNodes(): Promise<ClusterNode[]> {
    return nodesOfState(await this.marathon.mesosState());
  }

  async listFrameworks(opts: { completed?: boolean } = {}): Promise<Framework[]> {
    return frameworksOfState(await this.marathon.mesosState(), Boolean(opts.completed));
  }

  volumes(services: readonly Service[]): Promise<Map<string, VolumeRow[]>> {
    return volumesOf(this.marathon, services);
  }
}
