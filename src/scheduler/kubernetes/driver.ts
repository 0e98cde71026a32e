/**
 * The Scheduler of a Kubernetes cluster: a service is a Deployment (or, with persistent volumes,
 * a StatefulSet) translated from its app definition and applied server-side, with its Service
 * and PodDisruptionBudget; its tasks are its pods. Everything lives in one namespace; the objects
 * dcos applied carry `app.kubernetes.io/managed-by=dcos` and the app id in an annotation.
 */
import { posix } from 'node:path';
import { DcosError } from '../../core/errors.js';
import { PERMANENT_FAILURE_MARK } from '../../core/task-failure.js';
import { normalizeApp } from '../../marathon/app-defaults.js';
import { isUpgrade } from '../../marathon/app-changes.js';
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
import { EventQueue } from '../event-queue.js';
import type { KubeClient } from './client.js';
import { execInPod } from './exec.js';
import { PodLogReader } from './logs.js';
import { ANNOTATIONS, appFromAnnotations, LABELS } from './metadata.js';
import { objectName } from './names.js';
import {
  CONFIG_VERSION,
  deploymentIdOf,
  deploymentOfWorkload,
  MANAGED_SELECTOR,
  nodeOf,
  pendingOfPods,
  quantity,
  rolloutDone,
  SCALED_AT,
  serviceIdOf,
  serviceOfWorkload,
  taskOfPod,
  waitingReason,
  mainContainer,
  type KubeEvent,
  type KubeNode,
  type Pod,
  type Workload,
} from './observed.js';
import { translateApp, type Translation } from './translate.js';
import { SANDBOX_PATH } from './volumes.js';

interface List<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

const FIELD_MANAGER = 'dcos';
/** Probe failures that count as one kill of Marathon's (its maxConsecutiveFailures default). */
const FAILS_PER_KILL = 3;
/** Waiting reasons no retry fixes: the watch gives up at once, naming them. */
const PERMANENT_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError']);

export class KubernetesDriver implements Scheduler {
  readonly kind = 'kubernetes' as const;
  /**
   * The kubelet reports a container that exited up to a few seconds late (its relist period and
   * the status sync): a pod without probes counts as up only after running this long.
   */
  readonly stableMs = 5000;
  private pdbVersion?: Promise<'policy/v1' | 'policy/v1beta1'>;

  constructor(readonly client: KubeClient) {}

  get url(): string {
    return this.client.conn.server;
  }

  private get ns(): string {
    return encodeURIComponent(this.client.namespace);
  }

  private apps(kind: 'deployments' | 'statefulsets', name = ''): string {
    return `/apis/apps/v1/namespaces/${this.ns}/${kind}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  private core(kind: string, name = ''): string {
    return `/api/v1/namespaces/${this.ns}/${kind}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  async info(): Promise<ClusterInfo> {
    const v = await this.client.json<{ gitVersion?: string }>('GET', '/version');
    return { kind: 'kubernetes', ...(v.gitVersion ? { version: v.gitVersion } : {}), namespace: this.client.namespace };
  }

  /** The PodDisruptionBudget API the server serves: policy/v1 from 1.21, v1beta1 before. */
  private policyVersion(): Promise<'policy/v1' | 'policy/v1beta1'> {
    this.pdbVersion ??= this.client.get<{ versions?: Array<{ groupVersion: string }> }>('/apis/policy').then((g) => {
      const served = new Set((g?.versions ?? []).map((v) => v.groupVersion));
      return served.has('policy/v1') ? 'policy/v1' : 'policy/v1beta1';
    });
    return this.pdbVersion;
  }

  private async workloads(selector = MANAGED_SELECTOR): Promise<Workload[]> {
    const q = `?labelSelector=${encodeURIComponent(selector)}`;
    const [deployments, statefulsets] = await Promise.all([
      this.client.json<List<Workload>>('GET', this.apps('deployments') + q),
      this.client.json<List<Workload>>('GET', this.apps('statefulsets') + q),
    ]);
    return [...deployments.items.map((w) => ({ ...w, kind: 'Deployment' as const })), ...statefulsets.items.map((w) => ({ ...w, kind: 'StatefulSet' as const }))];
  }

  private async pods(selector = MANAGED_SELECTOR): Promise<Pod[]> {
    return (await this.client.json<List<Pod>>('GET', `${this.core('pods')}?labelSelector=${encodeURIComponent(selector)}`)).items;
  }

  /** The workload of a service, found by the name its id translates to and checked by its annotation. */
  private async workloadOf(id: string): Promise<Workload | undefined> {
    const names = [objectName(id).name, objectName(id, 52).name];
    for (const name of [...new Set(names)]) {
      const [d, s] = await Promise.all([this.client.get<Workload>(this.apps('deployments', name)), this.client.get<Workload>(this.apps('statefulsets', name))]);
      const found = d ? { ...d, kind: 'Deployment' as const } : s ? { ...s, kind: 'StatefulSet' as const } : undefined;
      if (found && serviceIdOf(found.metadata) === id) return found;
    }
    return undefined;
  }

  /** The pods of a workload, asked for by its instance label and matched by its selector. */
  private async podsOfWorkload(w: Workload): Promise<Pod[]> {
    return this.podsOf(w, await this.pods(instanceSelector(w)));
  }

  private podsOf(w: Workload, pods: readonly Pod[]): Pod[] {
    const match = w.spec?.selector?.matchLabels ?? {};
    return pods.filter((p) => Object.entries(match).every(([k, v]) => p.metadata.labels?.[k] === v));
  }

  /** The last failing probe's message of each pod, from the Unhealthy events. */
  private async healthCauses(): Promise<Map<string, string>> {
    const events = await this.client
      .json<List<KubeEvent>>('GET', `${this.core('events')}?fieldSelector=${encodeURIComponent('involvedObject.kind=Pod,reason=Unhealthy')}`)
      .catch(() => ({ items: [] as KubeEvent[] }));
    const out = new Map<string, { at: string; message: string }>();
    for (const e of events.items) {
      const pod = e.involvedObject?.name;
      const at = e.lastTimestamp ?? e.eventTime ?? '';
      if (!pod || !e.message) continue;
      if ((out.get(pod)?.at ?? '') <= at) out.set(pod, { at, message: e.message.trim() });
    }
    return new Map([...out].map(([pod, v]) => [pod, v.message]));
  }

  async listServices(opts: { tasks?: boolean; label?: string } = {}): Promise<Service[]> {
    const [workloads, pods] = await Promise.all([this.workloads(), opts.tasks ? this.pods() : Promise.resolve(undefined)]);
    const causes = pods?.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False')) ? await this.healthCauses() : new Map<string, string>();
    return workloads
      .filter((w) => appFromAnnotations(w.metadata.annotations) !== undefined)
      .map((w) => serviceOfWorkload(w, pods ? this.podsOf(w, pods) : undefined, causes))
      .filter((s) => !opts.label || s.labels[opts.label] !== undefined);
  }

  async getService(id: string): Promise<Service | undefined> {
    const w = await this.workloadOf(id);
    if (!w) {
      // Its pods may outlive the workload for their grace period: the removal is not over.
      const name = objectName(id).name;
      const left = (await this.pods(`${LABELS.instance}=${name},${MANAGED_SELECTOR}`)).filter((p) => serviceIdOf(p.metadata) === id);
      if (left.length === 0) return undefined;
      return this.leftovers(id, left);
    }
    const pods = await this.podsOfWorkload(w);
    const notReady = pods.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'));
    return serviceOfWorkload(w, pods, notReady ? await this.healthCauses() : new Map());
  }

  /** A service whose workload is gone and whose pods still stop. */
  private leftovers(id: string, pods: Pod[]): Service {
    return {
      id,
      instances: 0,
      labels: {},
      definition: { id } as AppDefinition,
      version: '',
      configChangedAt: '',
      resources: { cpus: 0, mem: 0, disk: 0 },
      hasHealthChecks: false,
      counts: { running: 0, healthy: 0, staged: 0, unhealthy: 0 },
      deploymentIds: [`remove/${objectName(id).name}`],
      tasks: pods.map((p) => taskOfPod(p, { hasChecks: false })),
      record: { id },
    };
  }

  private async translate(definition: AppDefinition): Promise<Translation> {
    return translateApp(definition, { namespace: this.client.namespace, apiVersions: { pdb: await this.policyVersion() }, fieldManager: FIELD_MANAGER });
  }

  private serverVersion?: Promise<number>;

  /** The server's minor version (20 for 1.20): fields of later versions are left out for it. */
  private minor(): Promise<number> {
    this.serverVersion ??= this.client.json<{ minor?: string }>('GET', '/version').then((v) => Number.parseInt(v.minor ?? '0', 10) || 0);
    return this.serverVersion;
  }

  /** Applies the objects of a translation; the pod template carries its configuration version. */
  private async applyAll(t: Translation, version: string): Promise<Workload> {
    const w = t.workload as unknown as { kind: string; metadata: { name: string }; spec: { template: { metadata: { annotations?: Record<string, string> } }; persistentVolumeClaimRetentionPolicy?: unknown } };
    w.spec.template.metadata.annotations = { ...w.spec.template.metadata.annotations, [CONFIG_VERSION]: version };
    // Servers before 1.23 refuse the field in an apply; their claims are deleted with the service by removeService.
    if (w.kind === 'StatefulSet' && (await this.minor()) < 23) delete w.spec.persistentVolumeClaimRetentionPolicy;
    if (t.service) await this.client.apply(this.core('services', t.service.metadata.name), t.service, FIELD_MANAGER);
    const path = this.apps(w.kind === 'StatefulSet' ? 'statefulsets' : 'deployments', w.metadata.name);
    const applied = await this.client.apply<Workload>(path, w, FIELD_MANAGER);
    if (t.pdb) {
      const pdbPath = `/apis/${t.pdb.apiVersion}/namespaces/${this.ns}/poddisruptionbudgets/${encodeURIComponent(t.pdb.metadata.name)}`;
      await this.client.apply(pdbPath, t.pdb, FIELD_MANAGER);
    } else {
      await this.client.request('DELETE', `/apis/${await this.policyVersion()}/namespaces/${this.ns}/poddisruptionbudgets/${encodeURIComponent(w.metadata.name)}`);
    }
    return { ...applied, kind: w.kind as Workload['kind'] };
  }

  async createService(definition: AppDefinition): Promise<DeploymentRef> {
    const t = await this.translate(definition);
    const name = t.workload.metadata.name;
    // Two app ids may make the same name (/a/b and /a-b): never take over another's objects.
    const [d, s] = await Promise.all([this.client.get<Workload>(this.apps('deployments', name)), this.client.get<Workload>(this.apps('statefulsets', name))]);
    const taken = d ?? s;
    if (taken) {
      const owner = taken.metadata.annotations?.[ANNOTATIONS.appId];
      if (owner === definition.id || owner === `/${definition.id.replace(/^\//, '')}`) throw new DcosError('ECONFLICT', `An app with id [${definition.id}] already exists.`);
      throw new DcosError('ECONFLICT', `The Kubernetes name ${name} of ${definition.id} is taken by ${owner ? `the app ${owner}` : `a ${taken.kind ?? 'workload'} that dcos did not create`}`, {
        hint: 'Install it under another app id (--app-id).',
      });
    }
    await this.ensureNamespace();
    const applied = await this.applyAll(t, new Date().toISOString());
    return { deploymentId: deploymentIdOf(applied) };
  }

  /** The namespace of the first install is created, as `helm install --create-namespace` does. */
  private async ensureNamespace(): Promise<void> {
    if (await this.client.get(`/api/v1/namespaces/${this.ns}`)) return;
    await this.client.apply(`/api/v1/namespaces/${this.ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.client.namespace, labels: { [LABELS.managedBy]: 'dcos' } } }, FIELD_MANAGER);
  }

  async updateService(id: string, definition: AppDefinition, _opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    const current = await this.workloadOf(id);
    if (!current) throw new DcosError('ENOT_FOUND', `App '${id}' does not exist`);
    const t = await this.translate({ ...definition, id });
    if (t.workload.kind !== current.kind) {
      throw new DcosError('EKUBE_UNSUPPORTED', `${id} would change from a ${current.kind} to a ${t.workload.kind} (persistent volumes ${t.workload.kind === 'StatefulSet' ? 'added' : 'removed'})`, {
        hint: 'Kubernetes cannot turn one into the other: uninstall and install again (persistent data is lost), or keep the volumes as they are.',
      });
    }
    // The same configuration again (a scale or a relabel) keeps its version: its pods are not replaced.
    const before = appFromAnnotations(current.metadata.annotations);
    const previous = current.spec?.template?.metadata?.annotations?.[CONFIG_VERSION];
    const same = before && previous && !isUpgrade(normalizeApp(before), normalizeApp({ ...definition, id }));
    const applied = await this.applyAll(t, same ? previous : new Date().toISOString());
    return { deploymentId: deploymentIdOf(applied) };
  }

  async scaleService(id: string, instances: number, _opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    const current = await this.workloadOf(id);
    const app = current && appFromAnnotations(current.metadata.annotations);
    if (!current || !app) throw new DcosError('ENOT_FOUND', `App '${id}' does not exist`);
    // The strategy and the disruption budget are counts of instances: translate again with the new count.
    const t = await this.translate({ ...app, instances });
    (t.workload.metadata.annotations as Record<string, string>)[SCALED_AT] = new Date().toISOString();
    const previous = current.spec?.template?.metadata?.annotations?.[CONFIG_VERSION] ?? new Date().toISOString();
    const applied = await this.applyAll(t, previous);
    return { deploymentId: deploymentIdOf(applied) };
  }

  async removeService(id: string, _opts: { force?: boolean } = {}): Promise<DeploymentRef> {
    const w = await this.workloadOf(id);
    if (!w) throw new DcosError('ENOT_FOUND', `App '${id}' does not exist`);
    const name = w.metadata.name;
    const del = (path: string) => this.client.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    const res = await del(this.apps(w.kind === 'StatefulSet' ? 'statefulsets' : 'deployments', name));
    if (res.status >= 300 && res.status !== 404) throw new DcosError('ECLUSTER', `The Kubernetes API refused to delete ${w.kind} ${name} (HTTP ${res.status})`);
    await del(this.core('services', name));
    await del(`/apis/${await this.policyVersion()}/namespaces/${this.ns}/poddisruptionbudgets/${encodeURIComponent(name)}`);
    // A StatefulSet leaves its claims behind on servers before 1.27: delete them, as Marathon destroys an app's volumes with it.
    if (w.kind === 'StatefulSet') {
      await this.client.request('DELETE', `${this.core('persistentvolumeclaims')}?labelSelector=${encodeURIComponent(instanceSelector(w))}`);
    }
    return { deploymentId: `remove/${name}` };
  }

  async listDeployments(): Promise<Deployment[]> {
    return (await this.workloads()).filter((w) => w.metadata.deletionTimestamp || !rolloutDone(w)).map(deploymentOfWorkload);
  }

  async pendingTasks(opts: { placement?: boolean } = {}): Promise<PendingTasks[]> {
    const pods = (await this.pods()).filter((p) => p.status?.phase === 'Pending');
    const waiting = pods.some((p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'));
    const nodes = opts.placement && waiting ? await this.client.json<List<KubeNode>>('GET', '/api/v1/nodes').then((l) => l.items, () => undefined) : undefined;
    return pendingOfPods(pods, nodes, Boolean(opts.placement));
  }

  /**
   * Pods and Unhealthy events as they change. A container that cannot start for a reason no retry
   * fixes (an image that cannot be pulled, a crash loop, a bad configuration) is a permanent task
   * failure; a probe that failed its threshold several times is a health check that keeps failing.
   */
  async *events(signal: AbortSignal): AsyncIterable<ClusterEvent> {
    const queue = new EventQueue<ClusterEvent>();
    const push = (e: ClusterEvent) => queue.push(e);
    const said = new Set<string>();
    const restarts = new Map<string, number>();
    const pods = (async () => {
      for await (const { object: pod } of this.client.watch<Pod>(`${this.core('pods')}?watch=1&labelSelector=${encodeURIComponent(MANAGED_SELECTOR)}`, signal)) {
        const serviceId = serviceIdOf(pod.metadata);
        const taskId = pod.metadata.name;
        // A pod being deleted ends however it ends: no failure to report.
        if (pod.metadata.deletionTimestamp) continue;
        const w = waitingReason(pod);
        const main = mainContainer(pod);
        const count = main?.restartCount ?? 0;
        const restarted = count > (restarts.get(taskId) ?? 0);
        restarts.set(taskId, count);
        // Restarted because a liveness or startup probe failed: Marathon's kill of an unhealthy task.
        const killedFor = restarted || w?.reason === 'CrashLoopBackOff' ? await this.probeKill(pod) : undefined;
        if (killedFor !== undefined) {
          if (restarted) push({ type: 'unhealthy-kill', serviceId, taskId, reason: killedFor, killed: true });
          push({ type: 'changed', serviceIds: [serviceId] });
          continue;
        }
        if (w && PERMANENT_WAITING.has(w.reason)) {
          const key = `${taskId}:${w.reason}`;
          if (said.has(key)) continue;
          said.add(key);
          const last = main?.lastState?.terminated;
          const exit = w.reason === 'CrashLoopBackOff' && last ? `, after exiting with code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}, ${main?.restartCount ?? 0} restart(s)` : '';
          push({ type: 'task-status', serviceId, taskId, state: 'TASK_FAILED', message: `${w.reason}: ${w.message}${exit} ${PERMANENT_FAILURE_MARK}`, ...(pod.spec?.nodeName ? { nodeId: pod.spec.nodeName } : {}) });
          continue;
        }
        push({ type: 'changed', serviceIds: [serviceId] });
      }
    })();
    const unhealthy = (async () => {
      const fields = encodeURIComponent('involvedObject.kind=Pod,reason=Unhealthy');
      for await (const { type, object: e } of this.client.watch<KubeEvent>(`${this.core('events')}?watch=1&fieldSelector=${fields}`, signal)) {
        if (type === 'DELETED' || !e.involvedObject?.name || !e.message) continue;
        // A startup probe fails until the service is up: that is its grace period, not a failure.
        // Liveness and startup probes kill: counted when the container restarts (the pods watch).
        const probe = /^Readiness probe failed/.exec(e.message);
        if (!probe) continue;
        // Each failure of the probe is one more count of the same event; every FAILS_PER_KILL of
        // them is what Marathon would have killed the task for.
        const count = e.count ?? 1;
        const key = `${e.metadata.name}:${Math.floor(count / FAILS_PER_KILL)}`;
        if (count % FAILS_PER_KILL !== 0 || said.has(key)) continue;
        said.add(key);
        const serviceId = await this.serviceOfPod(e.involvedObject.name);
        if (!serviceId) continue;
        push({ type: 'unhealthy-kill', serviceId, taskId: e.involvedObject.name, reason: e.message.trim(), killed: false });
      }
    })();
    void Promise.all([pods, unhealthy]).catch((err: unknown) => queue.fail(err));
    yield* queue.read(signal);
  }

  private podServices = new Map<string, string>();

  /** The last liveness or startup probe failure of a pod, when the kubelet killed it for one. */
  private async probeKill(pod: Pod): Promise<string | undefined> {
    const fields = `involvedObject.kind=Pod,involvedObject.name=${pod.metadata.name}`;
    const events = await this.client.json<List<KubeEvent>>('GET', `${this.core('events')}?fieldSelector=${encodeURIComponent(fields)}`).catch(() => ({ items: [] as KubeEvent[] }));
    const killed = events.items.some((e) => e.reason === 'Killing' && /failed (liveness|startup) probe/.test(e.message ?? ''));
    if (!killed) return undefined;
    const failures = events.items.filter((e) => e.reason === 'Unhealthy' && /^(Liveness|Startup) probe failed/.test(e.message ?? ''));
    const last = failures.sort((a, b) => ((a.lastTimestamp ?? '') < (b.lastTimestamp ?? '') ? -1 : 1)).pop();
    return (last?.message ?? 'its probe failed').trim();
  }

  private async serviceOfPod(name: string): Promise<string | undefined> {
    if (!this.podServices.has(name)) {
      const pod = await this.client.get<Pod>(this.core('pods', name));
      if (pod?.metadata.annotations?.[ANNOTATIONS.appId]) this.podServices.set(name, pod.metadata.annotations[ANNOTATIONS.appId]);
    }
    return this.podServices.get(name);
  }

  async listTasks(opts: { serviceId?: string; active?: boolean; completed?: boolean } = {}): Promise<Task[]> {
    let pods: Pod[];
    let hasChecks = hasProbe;
    if (opts.serviceId) {
      const w = await this.workloadOf(opts.serviceId);
      if (!w) return [];
      pods = await this.podsOfWorkload(w);
      const app = appFromAnnotations(w.metadata.annotations);
      const checks = (app?.healthChecks ?? []).length > 0 || (app?.readinessChecks ?? []).length > 0;
      hasChecks = () => checks;
    } else {
      // Every pod of the namespace, as `dcos task` lists every framework's tasks on Mesos.
      pods = (await this.client.json<List<Pod>>('GET', this.core('pods'))).items;
    }
    const tasks = pods.map((p) => taskOfPod(p, { hasChecks: hasChecks(p) }));
    const active = opts.active !== false;
    return tasks.filter((t) => (t.completed ? Boolean(opts.completed) : active));
  }

  private async podOf(task: TaskRef): Promise<Pod> {
    const pod = await this.client.get<Pod>(this.core('pods', task.id));
    if (!pod) throw new DcosError('ENO_SANDBOX', `Pod ${task.id} is gone`);
    return pod;
  }

  async openLog(task: TaskRef, file: string): Promise<LogReader | undefined> {
    const pod = await this.client.get<Pod>(this.core('pods', task.id));
    if (!pod) return undefined;
    if (file !== 'stdout' && file !== 'stderr') {
      throw new DcosError('ENOT_FOUND', `Kubernetes keeps no sandbox file '${file}' for pod ${task.id}: only the container's log (stdout and stderr together)`, {
        hint: `Read it with "dcos task log ${task.id}"; list the container's files with "dcos task ls ${task.id}".`,
      });
    }
    const container = pod.spec?.containers?.[0]?.name;
    return container ? new PodLogReader(this.client, pod, container) : undefined;
  }

  async listFiles(task: TaskRef, path: string): Promise<{ directory: string; entries: FileEntry[] }> {
    const pod = await this.podOf(task);
    const container = pod.spec?.containers?.[0]?.name ?? '';
    const target = path === '.' ? SANDBOX_PATH : posix.join(SANDBOX_PATH, path);
    // busybox and coreutils both have stat -c; one line per entry, the name last.
    const script = 'cd -- "$1" 2>/dev/null || { [ -e "$1" ] && { cd -- "$(dirname -- "$1")"; set -- "$1" "$(basename -- "$1")"; stat -c "%A|%h|%U|%G|%s|%Y|%n" -- "$2"; exit 0; }; exit 2; }; for f in .* *; do [ "$f" = . ] || [ "$f" = .. ] || { [ -e "$f" ] && stat -c "%A|%h|%U|%G|%s|%Y|%n" -- "$f"; }; done';
    const out = await execInPod(this.client, { namespace: pod.metadata.namespace ?? this.client.namespace, name: pod.metadata.name, container }, ['sh', '-c', script, 'sh', target]).catch((err: unknown) => {
      throw new DcosError('EEXEC', `Cannot list the files of pod ${task.id}: ${(err as Error).message}`, { hint: 'Listing runs sh and stat in the container through exec: its image needs them.' });
    });
    if (out.exitCode === 2) throw new DcosError('ENOT_FOUND', `${path}: no such file or directory`);
    if (out.exitCode !== 0) throw new DcosError('EEXEC', `Listing the files of pod ${task.id} failed: ${out.stderr.trim() || `exit code ${out.exitCode}`}`);
    const entries = out.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [mode, nlink, uid, gid, size, mtime, ...name] = line.split('|');
        return { path: posix.join(target, name.join('|')), mode, nlink: Number(nlink), uid, gid, size: Number(size), mtime: Number(mtime) };
      });
    return { directory: SANDBOX_PATH, entries };
  }

  async listNodes(): Promise<ClusterNode[]> {
    const nodes = (await this.client.json<List<KubeNode>>('GET', '/api/v1/nodes')).items;
    // What runs on each node, from the requests of its pods (all namespaces, when allowed).
    const pods = await this.client.json<List<Pod>>('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent('status.phase!=Succeeded,status.phase!=Failed')}`).then((l) => l.items, () => [] as Pod[]);
    return nodes.map((n) => {
      const on = pods.filter((p) => p.spec?.nodeName === n.metadata.name);
      const sum = (key: string, unit: 'cores' | 'mib') => Math.round(on.reduce((t, p) => t + (p.spec?.containers ?? []).reduce((c, k) => c + quantity(k.resources?.requests?.[key], unit), 0), 0) * 1000) / 1000;
      return nodeOf(n, { cpus: sum('cpu', 'cores'), mem: sum('memory', 'mib'), disk: sum('ephemeral-storage', 'mib') });
    });
  }

  async listFrameworks(): Promise<Framework[]> {
    // Kubernetes has no frameworks: what runs there is its workloads, listed as services.
    return [];
  }

  async volumes(services: readonly Service[]): Promise<Map<string, VolumeRow[]>> {
    const out = new Map<string, VolumeRow[]>();
    const stateful = services.filter((s) => (s.record as { kind?: string }).kind === 'StatefulSet');
    if (stateful.length === 0) return out;
    interface Claim {
      metadata: { name: string; labels?: Record<string, string> };
      spec?: { resources?: { requests?: { storage?: string } } };
      status?: { phase?: string; capacity?: { storage?: string } };
    }
    const claims = (await this.client.json<List<Claim>>('GET', `${this.core('persistentvolumeclaims')}?labelSelector=${encodeURIComponent(MANAGED_SELECTOR)}`)).items;
    for (const s of stateful) {
      const name = (s.record as { metadata?: { name?: string } }).metadata?.name ?? '';
      const mounts = (s.definition.container?.volumes ?? []).filter((v) => v.persistent);
      const running = new Map((s.tasks ?? []).map((t) => [t.id, t]));
      for (const c of claims) {
        // A claim of a StatefulSet is <template>-<set>-<ordinal>.
        const m = new RegExp(`^(.+)-${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(c.metadata.name);
        if (!m) continue;
        const pod = `${name}-${m[2]}`;
        const mount = mounts.find((v) => c.metadata.name.startsWith(`${String(v.containerPath).replace(/[^a-z0-9-]/gi, '-').toLowerCase()}`)) ?? mounts[0];
        const task = running.get(pod);
        const row: VolumeRow = {
          appId: s.id,
          instanceId: pod,
          persistenceId: c.metadata.name,
          containerPath: String(mount?.containerPath ?? ''),
          sizeMb: quantity(c.status?.capacity?.storage ?? c.spec?.resources?.requests?.storage, 'mib'),
          usedBytes: null,
          state: task && task.state === 'TASK_RUNNING' ? 'in use' : c.status?.phase === 'Bound' ? 'suspended' : (c.status?.phase ?? 'pending').toLowerCase(),
          ...(task ? { taskId: task.id } : {}),
        };
        out.set(s.id, [...(out.get(s.id) ?? []), row]);
      }
    }
    return out;
  }
}

function hasProbe(p: Pod): boolean {
  const c = p.spec?.containers?.[0] as { readinessProbe?: unknown; livenessProbe?: unknown } | undefined;
  return Boolean(c?.readinessProbe || c?.livenessProbe);
}

/** The selector of a workload's objects: its instance label, managed by dcos. */
function instanceSelector(w: Workload): string {
  return `${LABELS.instance}=${w.metadata.labels?.[LABELS.instance] ?? w.metadata.name},${MANAGED_SELECTOR}`;
}

