/**
 * A REAL Kubernetes cluster for integration tests: the k8s test cluster of ../shared/tools/k8s
 * (a v1.20 control plane and a real kubelet + containerd node on this machine), started by
 * .ci/run in CI, or by hand:
 *
 *   export K8S_EXTRA_IMAGES=$(node test/helpers/k8s-images.mjs)
 *   export KUBECONFIG=$(../shared/tools/k8s/up.sh)        # ../shared/tools/k8s/down.sh after
 *
 * `kubeCluster(file)` finds it from KUBECONFIG (and the env.sh that up.sh writes beside it:
 * K8S_API_URL, K8S_CA, ...) and `$K8S_BIN_DIR/kubectl`, and checks that its API answers. Without
 * one the file's suites are skipped, saying why; in CI (CI=true or CI=1) that throws instead, as
 * .ci/run starts the cluster and its absence there is a broken setup.
 *
 * Each test file gets a namespace of its own (a random suffix, made in beforeAll), deleted in
 * afterAll without waiting: namespace deletion takes 15 to 85 s on this cluster, and nothing in
 * one namespace can disturb another. The cluster has no DNS and no kube-proxy: a pod is reached
 * on its pod IP from this machine (`podUrl`), not through a Service.
 *
 * The images pods can run are those up.sh imported (no registry): busybox
 * (k8s-test.local/busybox:1.35, docker.io/library/busybox:1.35) and what k8s-images.mjs builds
 * (docker.io/library/node:20-slim, NODE_IMAGE); use imagePullPolicy Never or IfNotPresent.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Json } from '../integration/support.js';
import { waitFor } from './daemon.js';

/** The image k8s-images.mjs builds: this machine's node, for pods that run JavaScript. */
export const NODE_IMAGE = 'docker.io/library/node:20-slim';

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `apply -f -`). */
  input?: string;
  /** false: no --namespace of the file's own (cluster-scoped calls, other namespaces). */
  namespaced?: boolean;
  timeoutMs?: number;
}

export interface KubeCluster {
  /** Whether the suites must be skipped (false: a cluster answers). For `describe.skipIf`. */
  readonly skip: boolean;
  /** Why there is no cluster ('' when there is one). */
  readonly reason: string;
  readonly kubeconfig: string;
  readonly kubectlPath: string;
  /** env.sh's variables (K8S_API_URL, K8S_CA, K8S_ADMIN_CERT, K8S_STATE_DIR, ...). */
  readonly env: Record<string, string>;
  /** The file's namespace (after `createNamespace`). */
  readonly namespace: string;
  /** For beforeAll: makes the namespace and waits for its default service account. */
  createNamespace(): Promise<string>;
  /** For afterAll: deletes the namespace, not waiting for it to go. */
  cleanup(): Promise<void>;
  /**
   * Runs kubectl in the file's namespace; resolves to the parsed JSON when asked for `-o json`,
   * else to stdout. Rejects with kubectl's stderr when it exits non-zero.
   */
  kubectl(args: string[], opts?: KubectlOptions): Promise<Json>;
  /** `kubectl apply` of objects (or YAML/JSON text) in the namespace; resolves to what was applied. */
  apply(manifest: string | Json | Json[]): Promise<Json>;
  /**
   * Waits until `count` pods match `selector` and all are Ready; resolves to them. A timeout says
   * what each pod is waiting for (ErrImageNeverPull, CrashLoopBackOff, ...) and its last logs.
   */
  readyPods(selector: string, opts?: { count?: number; timeoutMs?: number }): Promise<Json[]>;
  /** `http://<pod IP>:<port><path>` of a pod (its name or its object). */
  podUrl(pod: string | Json, port: number, path?: string): Promise<string>;
  /** The last lines of a pod's logs (all containers), or why they could not be read. */
  logs(pod: string, tail?: number): Promise<string>;
}

const inCi = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/** `export K=V` lines of up.sh's env.sh (values without spaces, as up.sh writes them). */
function readEnvSh(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!existsSync(file)) return env;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

function wantsJson(args: string[]): boolean {
  return args.some((a, i) => ((a === '-o' || a === '--output') && args[i + 1] === 'json') || a === '-ojson' || a === '-o=json' || a === '--output=json');
}

/** What is missing for a cluster, '' when nothing is (the API answered /readyz). */
function findCluster(kubeconfig: string, kubectlPath: string): string {
  const start = 'start one with `export KUBECONFIG=$(../shared/tools/k8s/up.sh)`';
  if (!kubeconfig) return `KUBECONFIG is not set (${start})`;
  if (!existsSync(kubeconfig)) return `KUBECONFIG names ${kubeconfig}, which does not exist (${start})`;
  if (!existsSync(kubectlPath)) return `${kubectlPath} is missing (../shared/tools/k8s/build.sh builds it; set K8S_BIN_DIR to where it put it)`;
  const probe = spawnSync(kubectlPath, ['get', '--raw', '/readyz', '--request-timeout=5s'], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kubeconfig },
    timeout: 15_000,
  });
  if (probe.status !== 0 || probe.stdout.trim() !== 'ok') {
    const why = (probe.stderr || probe.error?.message || probe.stdout || 'no answer').trim().split('\n')[0];
    return `the cluster of ${kubeconfig} does not answer: ${why} (${start})`;
  }
  return '';
}

/**
 * The cluster for the test file `file` (its name, for messages and the namespace). Call at the top
 * of the file, then `describe.skipIf(kube.skip)`, `beforeAll(() => kube.createNamespace())`,
 * `afterAll(() => kube.cleanup())`.
 */
export function kubeCluster(file: string): KubeCluster {
  const kubeconfig = process.env.KUBECONFIG ?? '';
  const binDir = process.env.K8S_BIN_DIR ?? '/var/cache/k8s-test/bin';
  const kubectlPath = join(binDir, 'kubectl');
  const reason = findCluster(kubeconfig, kubectlPath);
  if (reason && inCi()) throw new Error(`${basename(file)}: no Kubernetes test cluster in CI: ${reason}; .ci/run starts one`);
  if (reason) console.warn(`${basename(file)} skipped: ${reason}`);
  const env = reason ? {} : readEnvSh(join(dirname(kubeconfig), 'env.sh'));

  const slug = basename(file).replace(/\.test\.[cm]?[jt]s$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 40).replace(/^-+|-+$/g, '');
  const name = `dcos-${slug || 'test'}-${randomBytes(3).toString('hex')}`;
  let created = false;

  const kubectl = (args: string[], opts: KubectlOptions = {}): Promise<Json> => {
    const full = created && opts.namespaced !== false ? [`--namespace=${name}`, ...args] : args;
    return new Promise((resolve, reject) => {
      const child = execFile(
        kubectlPath,
        full,
        { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err) {
            const how = err.killed ? `was killed after ${opts.timeoutMs ?? 60_000} ms` : `exited ${err.code}`;
            reject(new Error(`kubectl ${full.join(' ')} ${how}: ${stderr.trim() || stdout.trim()}`));
            return;
          }
          if (!wantsJson(args)) return resolve(stdout);
          try {
            resolve(JSON.parse(stdout));
          } catch {
            reject(new Error(`kubectl ${full.join(' ')} printed no JSON: ${stdout.slice(0, 500)}`));
          }
        },
      );
      child.stdin?.end(opts.input ?? '');
    });
  };

  const logs = async (pod: string, tail = 20): Promise<string> => {
    try {
      return (await kubectl(['logs', pod, '--all-containers', `--tail=${tail}`])).trim();
    } catch (err) {
      return `(no logs: ${(err as Error).message})`;
    }
  };

  /** One line about a pod that is not Ready: phase, containers' waiting/terminated reasons. */
  const podState = (pod: Json): string => {
    const containers = (pod.status?.containerStatuses ?? []).map((c: Json) => {
      const s = c.state ?? {};
      const detail = s.waiting ? `waiting ${s.waiting.reason}${s.waiting.message ? `: ${s.waiting.message}` : ''}` : s.terminated ? `terminated ${s.terminated.reason} (exit ${s.terminated.exitCode})` : 'running';
      return `${c.name} ${detail}, ${c.restartCount} restarts`;
    });
    const unscheduled = (pod.status?.conditions ?? []).find((c: Json) => c.type === 'PodScheduled' && c.status !== 'True');
    return `${pod.metadata.name}: ${pod.status?.phase}${unscheduled ? ` (unscheduled: ${unscheduled.message})` : ''}${containers.length ? `; ${containers.join('; ')}` : ''}`;
  };
  const isReady = (pod: Json): boolean => !pod.metadata.deletionTimestamp && (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');

  return {
    skip: reason !== '',
    reason,
    kubeconfig,
    kubectlPath,
    env,
    get namespace(): string {
      if (!created) throw new Error('kubeCluster: call createNamespace() (in beforeAll) first');
      return name;
    },
    async createNamespace(): Promise<string> {
      if (created) return name;
      await kubectl(['create', 'namespace', name], { namespaced: false });
      created = true;
      // Pods are refused until the service account controller has made `default` here.
      await waitFor(() => kubectl(['get', 'serviceaccount', 'default', '-o', 'json']).then(() => true), { what: `service account default in ${name}`, timeoutMs: 30_000, intervalMs: 200 });
      return name;
    },
    async cleanup(): Promise<void> {
      if (!created) return;
      created = false;
      await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found'], { namespaced: false });
    },
    kubectl,
    async apply(manifest: string | Json | Json[]): Promise<Json> {
      const input = typeof manifest === 'string' ? manifest : JSON.stringify(Array.isArray(manifest) ? { apiVersion: 'v1', kind: 'List', items: manifest } : manifest);
      return kubectl(['apply', '-f', '-', '-o', 'json'], { input });
    },
    async readyPods(selector: string, opts: { count?: number; timeoutMs?: number } = {}): Promise<Json[]> {
      const count = opts.count ?? 1;
      const timeoutMs = opts.timeoutMs ?? 90_000;
      let pods: Json[] = [];
      try {
        return await waitFor(
          async () => {
            pods = (await kubectl(['get', 'pods', '-l', selector, '-o', 'json'])).items.filter((p: Json) => !p.metadata.deletionTimestamp);
            return pods.length === count && pods.every(isReady) ? pods : undefined;
          },
          { what: `${count} Ready pod(s) ${selector} in ${name}`, timeoutMs, intervalMs: 250 },
        );
      } catch (err) {
        const states = pods.length ? pods.map(podState) : ['no pods'];
        const details = await Promise.all(pods.filter((p) => !isReady(p)).map(async (p) => `logs of ${p.metadata.name}:\n${await logs(p.metadata.name)}`));
        const events = await kubectl(['get', 'events', '--sort-by=.lastTimestamp']).catch(() => '');
        throw new Error(`${(err as Error).message}\n${states.join('\n')}\n${details.join('\n')}\nevents:\n${events}`);
      }
    },
    async podUrl(pod: string | Json, port: number, path = '/'): Promise<string> {
      const obj = typeof pod === 'string' ? await kubectl(['get', 'pod', pod, '-o', 'json']) : pod;
      const ip = obj.status?.podIP;
      if (!ip) throw new Error(`pod ${obj.metadata?.name} has no IP yet (${podState(obj)})`);
      return `http://${ip}:${port}${path}`;
    },
    logs,
  };
}
