/**
 * What the cluster reports, as our own types: workloads (Deployments, StatefulSets) as services,
 * pods as tasks, rollouts as deployments, unschedulable pods as pending tasks, nodes. Only the
 * fields read are typed here; the objects applied are in objects.ts.
 */
import type { AppDefinition, ClusterNode, Deployment, PendingTasks, Service, Task, TaskFailure } from '../types.js';
import { ANNOTATIONS, appFromAnnotations, LABELS, MANAGED_BY } from './metadata.js';

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ kind: string; name: string }>;
}

interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; finishedAt?: string; startedAt?: string };
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod {
  metadata: Meta;
  spec?: {
    nodeName?: string;
    containers?: Array<{ name: string; image?: string; ports?: Array<{ containerPort: number; name?: string }>; resources?: { requests?: Record<string, string> } }>;
    volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
  };
  status?: {
    phase?: string;
    podIP?: string;
    startTime?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  metadata: Meta;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    progressDeadlineSeconds?: number;
    template?: { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: Array<{ name: string; resources?: { requests?: Record<string, string> } }> } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
}

export interface KubeEvent {
  metadata: Meta;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  count?: number;
  type?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

export interface KubeNode {
  metadata: Meta;
  status?: {
    allocatable?: Record<string, string>;
    capacity?: Record<string, string>;
    addresses?: Array<{ type: string; address: string }>;
    conditions?: Array<{ type: string; status: string }>;
  };
  spec?: { unschedulable?: boolean };
}

/** The pod template annotation holding the configuration version its pods run (ISO time). */
export const CONFIG_VERSION = 'dcos.io/config-version';
/** The workload annotation saying when it was last scaled. */
export const SCALED_AT = 'dcos.io/scaled-at';

/** A quantity (`500m`, `2`, `64Mi`, `1G`) in cores or MiB. */
export function quantity(text: string | undefined, unit: 'cores' | 'mib'): number {
  if (!text) return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const decimal: Record<string, number> = { '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
  const factor = binary[m[2]] ?? decimal[m[2]];
  if (factor === undefined) return 0;
  const value = n * factor;
  return unit === 'cores' ? Math.round(value * 1000) / 1000 : Math.round((value / 2 ** 20) * 1000) / 1000;
}

const ENDED_PHASES = new Set(['Succeeded', 'Failed']);

/** The app container of a pod: the one named after the workload, else the first. */
export function mainContainer(pod: Pod): ContainerStatus | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const name = pod.spec?.containers?.[0]?.name;
  return statuses.find((s) => s.name === name) ?? statuses[0];
}

/** Why a pod's container does not run (image pull, crash loop, bad config), with what Kubernetes says. */
export function waitingReason(pod: Pod): { reason: string; message: string } | undefined {
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const w = s.state?.waiting;
    if (w?.reason && w.reason !== 'ContainerCreating' && w.reason !== 'PodInitializing') {
      return { reason: w.reason, message: w.message ?? (w.reason.startsWith('ErrImage') || w.reason === 'ImagePullBackOff' ? `image ${s.image ?? '?'}` : '') };
    }
  }
  return undefined;
}

function unscheduled(pod: Pod): { reason: string; message: string } | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  return c && c.status === 'False' ? { reason: c.reason ?? 'Unschedulable', message: c.message ?? '' } : undefined;
}

export function taskState(pod: Pod): string {
  const phase = pod.status?.phase;
  if (pod.metadata.deletionTimestamp && !ENDED_PHASES.has(phase ?? '')) return 'TASK_KILLING';
  if (phase === 'Succeeded') return 'TASK_FINISHED';
  if (phase === 'Failed') return 'TASK_FAILED';
  if (phase === 'Unknown') return 'TASK_UNKNOWN';
  const main = mainContainer(pod);
  if (main?.state?.running) return 'TASK_RUNNING';
  if (main?.state?.waiting?.reason === 'CrashLoopBackOff') return 'TASK_FAILED';
  if (!pod.spec?.nodeName || unscheduled(pod)) return 'TASK_STAGING';
  if (waitingReason(pod)) return 'TASK_STAGING';
  return 'TASK_STARTING';
}

/** The service id of a pod or workload: our annotation, else its name. */
export function serviceIdOf(meta: Meta): string {
  return meta.annotations?.[ANNOTATIONS.appId] ?? `/${meta.name}`;
}

export function taskOfPod(pod: Pod, opts: { hasChecks: boolean; healthCause?: string }): Task {
  const state = taskState(pod);
  const main = mainContainer(pod);
  const waiting = waitingReason(pod) ?? unscheduled(pod);
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const ports = (pod.spec?.containers?.[0]?.ports ?? []).map((p) => p.containerPort);
  const claims = (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
  const serviceId = pod.metadata.annotations?.[ANNOTATIONS.appId];
  return {
    id: pod.metadata.name,
    ...(serviceId ? { serviceId } : {}),
    name: serviceId ? serviceId.replace(/^\//, '') : pod.metadata.name,
    state,
    ...(pod.spec?.nodeName ? { nodeId: pod.spec.nodeName, host: pod.spec.nodeName } : {}),
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    ports,
    ...(pod.metadata.annotations?.[CONFIG_VERSION] ? { version: pod.metadata.annotations[CONFIG_VERSION] } : {}),
    stagedAt: pod.metadata.creationTimestamp ?? null,
    startedAt: main?.state?.running?.startedAt ?? null,
    healthy: !opts.hasChecks ? null : state === 'TASK_RUNNING' ? ready : undefined,
    healthCause: opts.healthCause ?? null,
    ...(waiting ? { message: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` } : {}),
    completed: ENDED_PHASES.has(pod.status?.phase ?? ''),
    ...(claims.length ? { volumes: claims.map((c) => ({ containerPath: '', persistenceId: c })) } : {}),
    // What `dcos task list --json` prints: the task as dcos sees it, and the pod as Kubernetes does.
    record: {
      id: pod.metadata.name,
      name: serviceId ? serviceId.replace(/^\//, '') : pod.metadata.name,
      ...(serviceId ? { serviceId } : {}),
      state,
      node: pod.spec?.nodeName ?? null,
      ip: pod.status?.podIP ?? null,
      ports,
      startedAt: main?.state?.running?.startedAt ?? null,
      restarts: main?.restartCount ?? 0,
      ...(waiting ? { message: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` } : {}),
      pod,
    },
  };
}

/** The last time a container of the pod ended with an error, as a task failure. */
export function failureOfPod(pod: Pod, version: string): TaskFailure | undefined {
  const main = mainContainer(pod);
  const t = main?.state?.terminated ?? main?.lastState?.terminated;
  if (!t || t.exitCode === 0) return undefined;
  return {
    taskId: pod.metadata.name,
    state: 'TASK_FAILED',
    message: `${t.reason ?? 'Error'}: exited with code ${t.exitCode ?? '?'}${t.message ? ` (${t.message.trim()})` : ''}`,
    timestamp: t.finishedAt ?? new Date().toISOString(),
    version: pod.metadata.annotations?.[CONFIG_VERSION] ?? version,
    ...(pod.spec?.nodeName ? { nodeId: pod.spec.nodeName } : {}),
  };
}

/** Whether a workload's rollout is over, as `kubectl rollout status` decides it. */
export function rolloutDone(w: Workload): boolean {
  const s = w.status ?? {};
  const want = w.spec?.replicas ?? 1;
  if ((s.observedGeneration ?? 0) < (w.metadata.generation ?? 0)) return false;
  if (w.kind === 'StatefulSet') {
    return (s.updatedReplicas ?? 0) >= want && (s.readyReplicas ?? 0) >= want && (s.replicas ?? 0) <= want && (!s.updateRevision || s.currentRevision === s.updateRevision || want === 0);
  }
  return (s.updatedReplicas ?? 0) >= want && (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) && (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
}

export function deploymentIdOf(w: Workload): string {
  return `${w.kind === 'StatefulSet' ? 'statefulset' : 'deployment'}/${w.metadata.name}:${w.metadata.generation ?? 0}`;
}

/** A rollout stuck past its progress deadline: the reason and Kubernetes' message. */
export function rolloutFailure(w: Workload): string | undefined {
  const c = w.status?.conditions?.find((x) => x.type === 'Progressing');
  return c?.status === 'False' && c.reason === 'ProgressDeadlineExceeded' ? `${c.reason}: ${c.message ?? ''}`.trim() : undefined;
}

export function requestsOf(w: Workload): { cpus: number; mem: number; disk: number } {
  const r = w.spec?.template?.spec?.containers?.[0]?.resources?.requests ?? {};
  return { cpus: quantity(r.cpu, 'cores'), mem: quantity(r.memory, 'mib'), disk: quantity(r['ephemeral-storage'], 'mib') };
}

export function serviceOfWorkload(w: Workload, pods: readonly Pod[] | undefined, causes: ReadonlyMap<string, string>): Service {
  const app = appFromAnnotations(w.metadata.annotations);
  const id = serviceIdOf(w.metadata);
  const removing = Boolean(w.metadata.deletionTimestamp);
  const definition = (app ?? { id }) as AppDefinition;
  const hasHealthChecks = (definition.healthChecks ?? []).length > 0 || (definition.readinessChecks ?? []).length > 0;
  const version = w.spec?.template?.metadata?.annotations?.[CONFIG_VERSION] ?? w.metadata.creationTimestamp ?? '';
  const scaledAt = w.metadata.annotations?.[SCALED_AT];
  const tasks = pods?.map((p) => taskOfPod(p, { hasChecks: hasHealthChecks, healthCause: causes.get(p.metadata.name) }));
  const live = tasks?.filter((t) => !t.completed) ?? [];
  const running = live.filter((t) => t.state === 'TASK_RUNNING');
  const failures = (pods ?? []).map((p) => failureOfPod(p, version)).filter((f): f is TaskFailure => f !== undefined);
  const lastFailure = failures.sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1))[0];
  const s = w.status ?? {};
  const stuck = rolloutFailure(w);
  return {
    id,
    instances: removing ? 0 : (w.spec?.replicas ?? 1),
    labels: { ...(definition.labels ?? {}) },
    definition: { ...definition, instances: w.spec?.replicas ?? definition.instances },
    version: [version, scaledAt ?? ''].sort().pop() as string,
    configChangedAt: version,
    ...(scaledAt ? { lastScaledAt: scaledAt } : {}),
    resources: requestsOf(w),
    hasHealthChecks,
    counts: tasks
      ? {
          running: running.length,
          healthy: hasHealthChecks ? running.filter((t) => t.healthy === true).length : 0,
          staged: live.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING').length,
          unhealthy: hasHealthChecks ? running.filter((t) => t.healthy === false).length : 0,
        }
      : { running: s.readyReplicas ?? 0, healthy: hasHealthChecks ? (s.readyReplicas ?? 0) : 0, staged: Math.max(0, (s.replicas ?? 0) - (s.readyReplicas ?? 0)), unhealthy: 0 },
    deploymentIds: removing || !rolloutDone(w) ? [removing ? `remove/${w.metadata.name}` : deploymentIdOf(w)] : [],
    ...(tasks ? { tasks } : {}),
    ...(lastFailure ? { lastFailure } : {}),
    ...(stuck ? { rolloutFailure: stuck } : {}),
    record: w as unknown as Record<string, unknown>,
  };
}

export function deploymentOfWorkload(w: Workload): Deployment {
  const id = serviceIdOf(w.metadata);
  const removing = Boolean(w.metadata.deletionTimestamp);
  const action = removing ? 'StopApplication' : (w.status?.observedGeneration ?? 0) === 0 ? 'StartApplication' : 'RollingUpdate';
  return {
    id: removing ? `remove/${w.metadata.name}` : deploymentIdOf(w),
    version: w.spec?.template?.metadata?.annotations?.[CONFIG_VERSION] ?? '',
    serviceIds: [id],
    steps: [[{ action, serviceId: id }]],
    currentActions: [{ action, serviceId: id }],
    currentStep: 1,
    totalSteps: 1,
  };
}

/** Pods the scheduler cannot place, by service, with its message and whether they ever can be. */
export function pendingOfPods(pods: readonly Pod[], nodes: readonly KubeNode[] | undefined, placement: boolean): PendingTasks[] {
  const out = new Map<string, PendingTasks>();
  for (const pod of pods) {
    const u = unscheduled(pod);
    if (!u || pod.metadata.deletionTimestamp) continue;
    const serviceId = serviceIdOf(pod.metadata);
    const item = out.get(serviceId) ?? { serviceId, count: 0, reason: u.message || u.reason };
    item.count += 1;
    if (placement && nodes && /Insufficient/.test(u.message)) {
      const need = pod.spec?.containers?.[0]?.resources?.requests ?? {};
      const tooBig = nodes.length > 0 && nodes.every((n) => exceeds(need, n.status?.allocatable ?? {}));
      if (tooBig) item.placement = { verdict: 'too-big', reason: `${u.message.trim()} (it asks for more than any node has)` };
    }
    out.set(serviceId, item);
  }
  return [...out.values()];
}

function exceeds(need: Record<string, string>, allocatable: Record<string, string>): boolean {
  if (quantity(need.cpu, 'cores') > quantity(allocatable.cpu, 'cores')) return true;
  if (quantity(need.memory, 'mib') > quantity(allocatable.memory, 'mib')) return true;
  return false;
}

export function nodeOf(n: KubeNode, used: { cpus: number; mem: number; disk: number }): ClusterNode {
  const a = n.status?.allocatable ?? {};
  const ip = n.status?.addresses?.find((x) => x.type === 'InternalIP')?.address;
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return {
    id: n.metadata.name,
    hostname: n.metadata.labels?.['kubernetes.io/hostname'] ?? n.metadata.name,
    ...(ip ? { ip } : {}),
    status: ready && !n.spec?.unschedulable ? 'active' : 'inactive',
    cpus: { used: used.cpus, total: quantity(a.cpu, 'cores') },
    mem: { used: used.mem, total: quantity(a.memory, 'mib') },
    disk: { used: used.disk, total: quantity(a['ephemeral-storage'], 'mib') },
    record: n as unknown as Record<string, unknown>,
  };
}

export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;
