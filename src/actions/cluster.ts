/** The cluster lifecycle: the local embedded cluster up and down, remote ones attached, and status. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ActionCtx } from '../core/context.js';
import { DcosError, UsageError } from '../core/errors.js';
import { defaultDataDir, findCluster, loadRegistry, saveRegistry, upsertCluster, type ClusterEntry, type KubernetesCluster, type LocalCluster } from '../scheduler/clusters.js';
import { openScheduler, type KubernetesTarget, type SchedulerTarget } from '../scheduler/factory.js';
import { HttpClient } from '../scheduler/http-client.js';
import { daemonAlive, daemonHealth, readDaemonInfo, readToken, startDaemon, stopDaemon, tokenError, type DaemonHealth } from '../scheduler/local-daemon.js';

export const DEFAULT_LOCAL = 'local';

/** ` --name <name>` for commands about a local cluster, nothing for the default one. */
export function nameFlag(name: string): string {
  return name === DEFAULT_LOCAL ? '' : ` --name ${name}`;
}

export interface ClusterUpResult {
  name: string;
  url: string;
  dataDir: string;
  pid: number;
  started: boolean;
}

function attach(ctx: ActionCtx, entry: ClusterEntry, url: string, token: string | undefined): void {
  const registry = loadRegistry(ctx);
  upsertCluster(registry, entry);
  registry.attached = entry.name;
  saveRegistry(ctx, registry);
  ctx.config.setMany({ 'core.dcos_url': url, 'core.dcos_acs_token': token });
}

export async function clusterUp(ctx: ActionCtx, opts: { name?: string; port?: number; dataDir?: string; allowPrivileged?: boolean }): Promise<ClusterUpResult> {
  const name = opts.name ?? DEFAULT_LOCAL;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`Invalid cluster name "${name}": use letters, digits, "-", "_" and "."`);
  const registry = loadRegistry(ctx);
  const existing = registry.clusters.find((c) => c.name === name);
  if (existing && existing.kind !== 'local') {
    throw new DcosError('ECLUSTER_EXISTS', `Cluster [${name}] is a remote ${existing.kind} cluster, not a local one`, {
      hint: 'Choose another --name for the local cluster.',
    });
  }
  const previous = existing as LocalCluster | undefined;
  const dataDir = opts.dataDir ? resolve(ctx.cwd, opts.dataDir) : (previous?.dataDir ?? defaultDataDir(ctx, name));
  if (opts.port !== undefined && (opts.port < 1 || opts.port > 65535)) throw new UsageError(`--port must be between 1 and 65535, got ${opts.port}`);
  const { info, started } = await startDaemon({
    dataDir,
    name,
    port: opts.port ?? previous?.port,
    portIsPreference: opts.port === undefined,
    allowPrivileged: opts.allowPrivileged,
    env: ctx.env,
  });
  const token = readToken(dataDir);
  if (!started && opts.allowPrivileged) {
    // The setting is the daemon's, given when it starts: a running one keeps what it has.
    const status = await new HttpClient({ url: info.url, token, timeoutSeconds: 5 }).request('GET', '/dcos-local/status').catch(() => undefined);
    if (status?.status === 200 && status.json<{ allowPrivileged?: boolean }>().allowPrivileged !== true) {
      const named = name === DEFAULT_LOCAL ? '' : ` --name ${name}`;
      throw new DcosError('EPRIVILEGED_RUNNING', `Cluster [${name}] is already running without --allow-privileged`, {
        hint: `Privileged containers are allowed from the daemon's start: "dcos cluster down${named}", then "dcos cluster up${named} --allow-privileged".`,
      });
    }
  }
  attach(ctx, { name, kind: 'local', dataDir, port: info.port }, info.url, token);
  return { name, url: info.url, dataDir, pid: info.pid, started };
}

export async function clusterDown(ctx: ActionCtx, name = DEFAULT_LOCAL): Promise<{ name: string; result: 'stopped' | 'not-running' | 'stopped-without-tasks' }> {
  const entry = findCluster(loadRegistry(ctx), name);
  if (entry.kind !== 'local') throw new DcosError('ECLUSTER_REMOTE', `Cluster [${name}] is remote: dcos can only stop local clusters`);
  return { name, result: await stopDaemon(entry.dataDir) };
}

export interface ClusterStatus {
  name: string;
  kind: ClusterEntry['kind'];
  attached: boolean;
  url: string | null;
  health: DaemonHealth | 'available' | 'unavailable';
  dataDir?: string;
  pid?: number;
  version?: string;
  detail?: Record<string, unknown>;
  /** Kubernetes: the context and namespace, and (for the status of one cluster) its nodes. */
  context?: string;
  namespace?: string;
  nodes?: Array<{ name: string; status: string; ip?: string }>;
}

function kubeTarget(ctx: ActionCtx, entry: KubernetesCluster): KubernetesTarget {
  return { kind: 'kubernetes', url: entry.url, kubeconfig: entry.kubeconfig, context: entry.context, namespace: entry.namespace, env: ctx.env, cwd: ctx.cwd };
}

/** A Kubernetes cluster answers /version; the status of one cluster also lists its nodes. */
async function kubeStatus(ctx: ActionCtx, entry: KubernetesCluster, attached: boolean, deep: boolean): Promise<ClusterStatus> {
  const base: ClusterStatus = { name: entry.name, kind: 'kubernetes', attached, url: entry.url, health: 'unavailable', context: entry.context };
  try {
    const scheduler = await openScheduler(kubeTarget(ctx, entry), { timeoutSeconds: 10, signal: ctx.signal });
    const info = await scheduler.info();
    const status: ClusterStatus = { ...base, url: scheduler.url, health: 'available', version: info.version, namespace: info.namespace };
    if (deep) status.nodes = (await scheduler.listNodes()).map((n) => ({ name: n.hostname, status: n.status, ...(n.ip ? { ip: n.ip } : {}) }));
    return status;
  } catch (err) {
    // The status of one cluster says why it does not answer; a listing shows it as unavailable.
    if (deep && (err as DcosError).code !== 'ECLUSTER_UNREACHABLE') throw err;
    return base;
  }
}

async function statusOf(ctx: ActionCtx, entry: ClusterEntry, attached: boolean, deep: boolean): Promise<ClusterStatus> {
  if (entry.kind === 'kubernetes') return kubeStatus(ctx, entry, attached, deep);
  if (entry.kind === 'local') {
    const { health, info, tokenProblem } = await daemonHealth(entry.dataDir);
    // The status of one cluster says what is wrong; a listing shows it as that cluster's health.
    if (deep && tokenProblem) throw tokenError(entry.name, entry.dataDir, tokenProblem);
    const status: ClusterStatus = { name: entry.name, kind: 'local', attached, url: info?.url ?? null, health, dataDir: entry.dataDir, pid: info?.pid, version: info?.version };
    if (deep && health === 'running' && info) {
      const res = await new HttpClient({ url: info.url, token: readToken(entry.dataDir), timeoutSeconds: 5 }).request('GET', '/dcos-local/status');
      if (res.status === 200) status.detail = res.json<Record<string, unknown>>();
    }
    return status;
  }
  try {
    const base = entry.marathonUrl ?? `${entry.url}/service/marathon`;
    const res = await new HttpClient({ url: base, token: entry.token, timeoutSeconds: 5, insecure: entry.insecure, caCert: entry.caCert }).request('GET', '/v2/info');
    return { name: entry.name, kind: entry.kind, attached, url: entry.url, health: res.status === 200 ? 'available' : 'unavailable', version: res.status === 200 ? res.json<{ version?: string }>().version : undefined };
  } catch {
    return { name: entry.name, kind: entry.kind, attached, url: entry.url, health: 'unavailable' };
  }
}

export async function clusterStatus(ctx: ActionCtx, name?: string): Promise<ClusterStatus> {
  const registry = loadRegistry(ctx);
  const target = name ?? registry.attached;
  if (!target) {
    throw new DcosError('ENO_CLUSTER', 'No cluster is attached', { hint: 'Start the local one with "dcos cluster up", or attach one with "dcos cluster attach <name>".' });
  }
  return statusOf(ctx, findCluster(registry, target), registry.attached === target, true);
}

export async function clusterList(ctx: ActionCtx): Promise<ClusterStatus[]> {
  const registry = loadRegistry(ctx);
  return Promise.all(registry.clusters.map((c) => statusOf(ctx, c, c.name === registry.attached, false)));
}

export async function clusterAttach(ctx: ActionCtx, name: string): Promise<ClusterStatus> {
  // kube:<context>: a context of KUBECONFIG (or ~/.kube/config), as kubectl would use it.
  if (name.startsWith('kube:') && !loadRegistry(ctx).clusters.some((c) => c.name === name)) {
    return clusterSetupKubernetes(ctx, { context: name.slice(5), name, check: true, fromEnvironment: true });
  }
  const entry = findCluster(loadRegistry(ctx), name);
  if (entry.kind === 'local') {
    const { health, info, tokenProblem } = await daemonHealth(entry.dataDir);
    if (tokenProblem) throw tokenError(name, entry.dataDir, tokenProblem);
    if (health !== 'running' || !info) {
      throw new DcosError('ECLUSTER_DOWN', `Cluster [${name}] is not running`, { hint: `Start it with: dcos cluster up --name ${name}` });
    }
    attach(ctx, { ...entry, port: info.port }, info.url, readToken(entry.dataDir));
  } else {
    attach(ctx, entry, entry.url, entry.kind === 'kubernetes' ? undefined : entry.token);
  }
  return statusOf(ctx, entry, true, false);
}

export async function clusterRemove(ctx: ActionCtx, name: string): Promise<ClusterEntry> {
  const registry = loadRegistry(ctx);
  const entry = findCluster(registry, name);
  if (entry.kind === 'local' && (await daemonHealth(entry.dataDir)).health !== 'stopped') {
    throw new DcosError('ECLUSTER_RUNNING', `Cluster [${name}] is running`, { hint: `Stop it first with: dcos cluster down --name ${name}` });
  }
  registry.clusters = registry.clusters.filter((c) => c.name !== name);
  if (registry.attached === name) {
    delete registry.attached;
    ctx.config.setMany({ 'core.dcos_url': undefined, 'core.dcos_acs_token': undefined });
  }
  saveRegistry(ctx, registry);
  return entry;
}

/**
 * The cluster a command talks to; starts the local one when none is attached (unless turned off).
 * local and dcos clusters use DC/OS paths; a bare marathon cluster has its own Marathon and Mesos URLs.
 */
export type ClusterTarget = SchedulerTarget & { name?: string };

export async function ensureCluster(ctx: ActionCtx, notify: (message: string) => void): Promise<ClusterTarget> {
  const resolved = ctx.config.resolve('core.dcos_url');
  const url = resolved.value === undefined ? undefined : String(resolved.value);
  const registry = loadRegistry(ctx);
  // A URL from the environment or a flag names the cluster itself; the attached one only counts
  // when the URL is the one attaching wrote to the config file.
  const attached = registry.attached && resolved.source === 'file' ? registry.clusters.find((c) => c.name === registry.attached) : undefined;
  if (url) {
    const token = ctx.config.getString('core.dcos_acs_token');
    if (resolved.source !== 'file') {
      const ssl = ctx.config.getString('core.ssl_verify');
      const caCert = ssl && ssl !== 'true' && ssl !== 'false' ? ssl : undefined;
      return { kind: 'dcos', url, token, marathonUrl: `${url}/service/marathon`, mesosUrl: `${url}/mesos`, insecure: ssl === 'false', caCert };
    }
    if (attached?.kind === 'kubernetes') return { ...kubeTarget(ctx, attached), name: attached.name };
    if (attached?.kind === 'local') {
      // A local cluster that was stopped is started again on first use. Checking its process is
      // enough here (no request): every command pays for this check.
      const info = readDaemonInfo(attached.dataDir);
      const stopped = !info || !daemonAlive(info);
      if (stopped && ctx.config.getBoolean('cluster.autostart') !== false) {
        const up = await clusterUp(ctx, { name: attached.name });
        notify(`Started the local cluster [${up.name}] at ${up.url} (stop it with: dcos cluster down)`);
        return { kind: 'local', url: up.url, token: readToken(up.dataDir), marathonUrl: `${up.url}/service/marathon`, mesosUrl: `${up.url}/mesos`, name: up.name };
      }
      // Nobody is listening: say so at once instead of retrying a refused connection.
      if (stopped) {
        throw new DcosError('ECLUSTER_DOWN', `The local cluster [${attached.name}] is not running: start it with dcos cluster up${nameFlag(attached.name)}`, {
          hint: 'cluster.autostart is off, so commands do not start it themselves.',
        });
      }
    }
    const remote = attached && attached.kind !== 'local' ? attached : undefined;
    return {
      kind: remote?.kind ?? (attached?.kind === 'local' ? 'local' : 'dcos'),
      url,
      token,
      marathonUrl: remote?.marathonUrl ?? `${url}/service/marathon`,
      mesosUrl: remote?.mesosUrl ?? `${url}/mesos`,
      insecure: remote?.insecure ?? ctx.config.getString('core.ssl_verify') === 'false',
      caCert: remote?.caCert,
      name: attached?.name,
    };
  }
  if (ctx.config.getBoolean('cluster.autostart') === false) {
    throw new DcosError('ENO_CLUSTER', 'No cluster is attached', {
      hint: 'Start the local one with "dcos cluster up", or attach one with "dcos cluster attach <name>" (cluster.autostart is off).',
    });
  }
  const up = await clusterUp(ctx, {});
  notify(`Started the local cluster [${up.name}] at ${up.url} (stop it with: dcos cluster down)`);
  return { kind: 'local', url: up.url, token: readToken(up.dataDir), marathonUrl: `${up.url}/service/marathon`, mesosUrl: `${up.url}/mesos`, name: up.name };
}

/** Attaches a remote cluster: DC/OS (one URL) or bare Marathon and Mesos; checks it answers first. */
export async function clusterSetup(
  ctx: ActionCtx,
  opts: { url: string; name?: string; token?: string; marathonUrl?: string; mesosUrl?: string; caCert?: string; insecure?: boolean; check?: boolean },
): Promise<ClusterStatus> {
  for (const [flag, value] of [['<url>', opts.url], ['--marathon-url', opts.marathonUrl], ['--mesos-url', opts.mesosUrl]] as const) {
    if (value !== undefined && !/^https?:\/\/[^\s]+$/.test(value)) throw new UsageError(`${flag} must be an http(s) URL, got "${value}"`);
  }
  if (opts.mesosUrl && !opts.marathonUrl) throw new UsageError('--mesos-url goes with --marathon-url (a bare Marathon and Mesos)');
  if (opts.caCert !== undefined && !existsSync(resolve(ctx.cwd, opts.caCert))) {
    throw new UsageError(`--ca-cert: no such file ${resolve(ctx.cwd, opts.caCert)}`);
  }
  const url = opts.url.replace(/\/+$/, '');
  const name = opts.name ?? new URL(url).hostname;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new UsageError(`Invalid cluster name "${name}"`);
  const registry = loadRegistry(ctx);
  if (registry.clusters.some((c) => c.name === name && c.kind === 'local')) {
    throw new DcosError('ECLUSTER_EXISTS', `Cluster [${name}] is a local cluster`, { hint: 'Choose another --name.' });
  }
  const entry: ClusterEntry = opts.marathonUrl
    ? { name, kind: 'marathon', url, marathonUrl: opts.marathonUrl.replace(/\/+$/, ''), mesosUrl: opts.mesosUrl?.replace(/\/+$/, ''), token: opts.token, caCert: opts.caCert ? resolve(ctx.cwd, opts.caCert) : undefined, insecure: opts.insecure }
    : { name, kind: 'dcos', url, token: opts.token, caCert: opts.caCert ? resolve(ctx.cwd, opts.caCert) : undefined, insecure: opts.insecure };
  if (opts.check !== false) {
    const status = await statusOf(ctx, entry, false, false);
    if (status.health !== 'available') {
      const base = entry.kind === 'marathon' ? entry.marathonUrl : `${url}/service/marathon`;
      // Ask again to get the reason in the error.
      const res = await new HttpClient({ url: base as string, token: entry.token, insecure: entry.insecure, caCert: entry.caCert, timeoutSeconds: 10 }).request('GET', '/v2/info');
      throw new DcosError('ECLUSTER_CHECK', `${base} did not answer as Marathon does (HTTP ${res.status})`, {
        hint: res.status === 401 ? 'Give the token with --token or DCOS_ACS_TOKEN.' : 'Check the URL; --marathon-url and --mesos-url set a bare Marathon and Mesos.',
      });
    }
  }
  attach(ctx, entry, url, entry.token);
  return statusOf(ctx, entry, true, false);
}

/**
 * Attaches a Kubernetes cluster: a context of a kubeconfig (the current one by default) and a
 * namespace (the context's, else default); checks that its API answers first.
 */
export async function clusterSetupKubernetes(
  ctx: ActionCtx,
  opts: { kubeconfig?: string; context?: string; namespace?: string; name?: string; check?: boolean; fromEnvironment?: boolean },
): Promise<ClusterStatus> {
  const { resolveConnection } = await import('../scheduler/kubernetes/kubeconfig.js');
  if (opts.kubeconfig !== undefined && !existsSync(resolve(ctx.cwd, opts.kubeconfig))) throw new UsageError(`--kubeconfig: no such file ${resolve(ctx.cwd, opts.kubeconfig)}`);
  if (opts.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(opts.namespace)) {
    throw new UsageError(`--namespace "${opts.namespace}" is not a Kubernetes namespace name (lower case letters, digits and "-", at most 63)`);
  }
  const kubeconfig = opts.kubeconfig === undefined ? undefined : resolve(ctx.cwd, opts.kubeconfig);
  const conn = resolveConnection({ file: kubeconfig, env: ctx.env, cwd: ctx.cwd }, { context: opts.context, namespace: opts.namespace });
  const name = opts.name ?? conn.context;
  if (!opts.fromEnvironment && !/^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/.test(name)) throw new UsageError(`Invalid cluster name "${name}": use letters, digits, "-", "_", ".", ":" and "@" (give one with --name)`);
  const registry = loadRegistry(ctx);
  if (registry.clusters.some((c) => c.name === name && c.kind !== 'kubernetes')) {
    throw new DcosError('ECLUSTER_EXISTS', `Cluster [${name}] is a ${registry.clusters.find((c) => c.name === name)?.kind} cluster`, { hint: 'Choose another --name.' });
  }
  // A kubeconfig taken from the environment stays the environment's: KUBECONFIG is read again on each use.
  const entry: KubernetesCluster = {
    name,
    kind: 'kubernetes',
    url: conn.server,
    ...(kubeconfig ? { kubeconfig } : opts.fromEnvironment || !ctx.env.KUBECONFIG ? {} : { kubeconfig: conn.files[0] }),
    context: conn.context,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
  };
  if (opts.check !== false) {
    const status = await kubeStatus(ctx, entry, false, true);
    if (status.health !== 'available') {
      throw new DcosError('ECLUSTER_CHECK', `The Kubernetes API of context [${conn.context}] does not answer at ${conn.server}`, {
        hint: 'Check that the cluster is up ("kubectl --context ' + conn.context + ' get nodes"), or attach it anyway with --no-check.',
      });
    }
  }
  attach(ctx, entry, conn.server, undefined);
  return statusOf(ctx, entry, true, false);
}
