/**
 * Marathon's and Mesos' APIs as they are, for every Marathon-speaking cluster: the embedded one,
 * DC/OS (Marathon under /service/marathon, Mesos under /mesos, agents under /slave/<id>) and bare
 * Marathon + Mesos. The Marathon driver builds the cluster-neutral Scheduler on it; the
 * `dcos marathon` commands use it directly.
 * Idempotent requests are retried with backoff on network errors and 5xx answers; the others are
 * reported plainly.
 */
import { DcosError } from '../../core/errors.js';
import { HttpClient, openStream, type ClientOptions, type Response } from '../http-client.js';
import type {
  DeploymentRef,
  FileChunk,
  MarathonAppStatus,
  MarathonDeployment,
  MarathonEvent,
  MarathonTask,
  MesosState,
  QueueItem,
  SandboxEntry,
} from './api-types.js';
import { marathonError } from './errors.js';

export interface MarathonEndpoints {
  /** Marathon's base (serving /v2/...). */
  marathonUrl: string;
  /** The Mesos master's base (serving /master/state.json). */
  mesosUrl: string;
  /** An agent's base from its id; DC/OS proxies them under /slave/<id>. */
  agentUrl: (agentId: string, pid?: string) => string;
}

const RETRY_DELAYS_MS = [300, 1000, 2500];
/** Reads: retried on any network error or 5xx. */
const SAFE = new Set(['GET', 'HEAD']);
/**
 * Marathon's PUT and DELETE start a deployment each time, so a retry after a 5xx that was really
 * applied would fail (409, 404): they are retried only when the connection was refused, i.e.
 * nothing reached the cluster.
 */
const RETRY_WHEN_REFUSED = new Set(['PUT', 'DELETE']);

function refused(err: unknown): boolean {
  return ((err as { cause?: NodeJS.ErrnoException }).cause?.code ?? '') === 'ECONNREFUSED';
}

const enc = (id: string) => id.replace(/^\//, '').split('/').map(encodeURIComponent).join('/');

export class MarathonClient {
  private readonly marathon: HttpClient;
  private readonly mesos: HttpClient;
  private agentPids = new Map<string, string>();

  constructor(
    private readonly endpoints: MarathonEndpoints,
    private readonly options: Omit<ClientOptions, 'url'>,
  ) {
    this.marathon = new HttpClient({ ...options, url: endpoints.marathonUrl });
    this.mesos = new HttpClient({ ...options, url: endpoints.mesosUrl });
  }

  get url(): string {
    return this.endpoints.marathonUrl;
  }

  /** One request with retries where that is safe; non-2xx answers become typed errors. */
  private async call(client: HttpClient, method: string, path: string, body?: unknown, accept: number[] = [200, 201]): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response | undefined;
      try {
        res = await client.request(method, path, body);
      } catch (err) {
        const unreachable = (err as DcosError).code === 'ECLUSTER_UNREACHABLE';
        const retryable = unreachable && (SAFE.has(method) || (RETRY_WHEN_REFUSED.has(method) && refused(err))) && attempt < RETRY_DELAYS_MS.length;
        if (!retryable) throw err;
      }
      if (res && res.status >= 500 && SAFE.has(method) && attempt < RETRY_DELAYS_MS.length) res = undefined;
      if (res) {
        if (accept.includes(res.status)) return res;
        throw marathonError(method, path, res, client.opts.url);
      }
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      this.options.signal?.throwIfAborted();
    }
  }

  async info(): Promise<Record<string, unknown>> {
    return (await this.call(this.marathon, 'GET', '/v2/info')).json();
  }

  async listApps(opts: { embedTasks?: boolean; embedFailures?: boolean; label?: string } = {}): Promise<MarathonAppStatus[]> {
    const query = new URLSearchParams();
    if (opts.embedTasks) query.append('embed', 'apps.tasks');
    if (opts.embedTasks || opts.embedFailures) query.append('embed', 'apps.lastTaskFailure');
    if (opts.label) query.set('label', opts.label);
    const q = query.toString();
    return (await this.call(this.marathon, 'GET', `/v2/apps${q ? `?${q}` : ''}`)).json<{ apps: MarathonAppStatus[] }>().apps;
  }

  async getApp(id: string): Promise<MarathonAppStatus | undefined> {
    try {
      return (await this.call(this.marathon, 'GET', `/v2/apps/${enc(id)}?embed=app.tasks&embed=app.lastTaskFailure`)).json<{ app: MarathonAppStatus }>().app;
    } catch (err) {
      if ((err as DcosError).code === 'ENOT_FOUND') return undefined;
      throw err;
    }
  }

  async createApp(app: Record<string, unknown>): Promise<{ app: MarathonAppStatus; deploymentId: string }> {
    const res = await this.call(this.marathon, 'POST', '/v2/apps', app, [201]);
    const created = res.json<MarathonAppStatus>();
    const deploymentId = String(res.headers['marathon-deployment-id'] ?? created.deployments?.[0]?.id ?? '');
    return { app: created, deploymentId };
  }

  async updateApp(id: string, app: Record<string, unknown>, opts: { force?: boolean; partial?: boolean } = {}): Promise<DeploymentRef> {
    const query = new URLSearchParams();
    if (opts.force) query.set('force', 'true');
    if (opts.partial === false) query.set('partialUpdate', 'false');
    const q = query.toString();
    return (await this.call(this.marathon, 'PUT', `/v2/apps/${enc(id)}${q ? `?${q}` : ''}`, app, [200, 201])).json<DeploymentRef>();
  }

  async deleteApp(id: string, opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    return (await this.call(this.marathon, 'DELETE', `/v2/apps/${enc(id)}${opts.force ? '?force=true' : ''}`)).json<DeploymentRef>();
  }

  async restartApp(id: string, opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    return (await this.call(this.marathon, 'POST', `/v2/apps/${enc(id)}/restart${opts.force ? '?force=true' : ''}`)).json<DeploymentRef>();
  }

  async appVersions(id: string): Promise<string[]> {
    return (await this.call(this.marathon, 'GET', `/v2/apps/${enc(id)}/versions`)).json<{ versions: string[] }>().versions;
  }

  async appVersion(id: string, version: string): Promise<Record<string, unknown>> {
    return (await this.call(this.marathon, 'GET', `/v2/apps/${enc(id)}/versions/${encodeURIComponent(version)}`)).json();
  }

  async listTasks(appId?: string): Promise<MarathonTask[]> {
    const path = appId ? `/v2/apps/${enc(appId)}/tasks` : '/v2/tasks';
    return (await this.call(this.marathon, 'GET', path)).json<{ tasks: MarathonTask[] }>().tasks;
  }

  async killTasks(appId: string, opts: { taskIds?: string[]; scale?: boolean; wipe?: boolean; host?: string } = {}): Promise<{ tasks?: MarathonTask[]; deploymentId?: string }> {
    const query = new URLSearchParams();
    if (opts.scale) query.set('scale', 'true');
    if (opts.wipe) query.set('wipe', 'true');
    if (opts.host) query.set('host', opts.host);
    const q = query.toString() ? `?${query}` : '';
    const res = opts.taskIds
      ? await this.call(this.marathon, 'POST', `/v2/tasks/delete${q}`, { ids: opts.taskIds })
      : await this.call(this.marathon, 'DELETE', `/v2/apps/${enc(appId)}/tasks${q}`);
    return res.json();
  }

  async listDeployments(): Promise<MarathonDeployment[]> {
    return (await this.call(this.marathon, 'GET', '/v2/deployments')).json<MarathonDeployment[]>();
  }

  async deleteDeployment(id: string, opts: { force?: boolean } = {}): Promise<DeploymentRef | undefined> {
    const res = await this.call(this.marathon, 'DELETE', `/v2/deployments/${encodeURIComponent(id)}${opts.force ? '?force=true' : ''}`, undefined, [200, 202]);
    return res.status === 202 || !res.text ? undefined : res.json<DeploymentRef>();
  }

  async queue(): Promise<QueueItem[]> {
    return (await this.call(this.marathon, 'GET', '/v2/queue')).json<{ queue: QueueItem[] }>().queue;
  }

  async *events(signal: AbortSignal): AsyncIterable<MarathonEvent> {
    const res = await openStream({ ...this.options, url: this.endpoints.marathonUrl }, '/v2/events', signal);
    if (res.statusCode !== 200) {
      res.resume();
      throw new DcosError('ENO_EVENTS', `The cluster's event stream answered HTTP ${res.statusCode}`);
    }
    res.setEncoding('utf8');
    let buffer = '';
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (!data) continue;
          try {
            yield JSON.parse(data) as MarathonEvent;
          } catch {
            // a frame that is not JSON: ignore it, as Marathon's own clients do
          }
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  async mesosState(): Promise<MesosState> {
    const state = (await this.call(this.mesos, 'GET', '/master/state.json')).json<MesosState>();
    for (const slave of state.slaves ?? []) this.agentPids.set(slave.id, slave.pid);
    return state;
  }

  private async agent(agentId: string): Promise<HttpClient> {
    if (!this.agentPids.has(agentId)) await this.mesosState();
    return new HttpClient({ ...this.options, url: this.endpoints.agentUrl(agentId, this.agentPids.get(agentId)) });
  }

  async agentState(agentId: string): Promise<Record<string, unknown>> {
    return (await this.call(await this.agent(agentId), 'GET', '/state.json')).json();
  }

  async readFile(agentId: string, path: string, offset: number, length?: number): Promise<FileChunk> {
    const query = new URLSearchParams({ path, offset: String(offset) });
    if (length !== undefined) query.set('length', String(length));
    return (await this.call(await this.agent(agentId), 'GET', `/files/read.json?${query}`)).json<FileChunk>();
  }

  async browse(agentId: string, path: string): Promise<SandboxEntry[]> {
    return (await this.call(await this.agent(agentId), 'GET', `/files/browse.json?${new URLSearchParams({ path })}`)).json<SandboxEntry[]>();
  }
}

/** DC/OS layout: everything behind one URL. */
export function dcosEndpoints(dcosUrl: string): MarathonEndpoints {
  const base = dcosUrl.replace(/\/+$/, '');
  return { marathonUrl: `${base}/service/marathon`, mesosUrl: `${base}/mesos`, agentUrl: (id) => `${base}/slave/${id}` };
}

/** Bare Marathon and Mesos: agents are reached at the address in their pid (slave(1)@ip:port). */
export function bareEndpoints(marathonUrl: string, mesosUrl: string): MarathonEndpoints {
  return {
    marathonUrl: marathonUrl.replace(/\/+$/, ''),
    mesosUrl: mesosUrl.replace(/\/+$/, ''),
    agentUrl: (_id, pid) => {
      const m = /@([^:]+):(\d+)/.exec(pid ?? '');
      if (!m) throw new DcosError('EAGENT', `Cannot tell the address of agent ${_id} from its pid "${pid}"`);
      return `${new URL(mesosUrl).protocol}//${m[1]}:${m[2]}`;
    },
  };
}
