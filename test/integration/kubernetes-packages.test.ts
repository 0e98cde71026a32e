/**
 * dcos on a real Kubernetes cluster, as a user drives it: attached with `cluster setup
 * --kubeconfig`, the shared hello-world scenarios (scenarios.ts) with its container runtime, and
 * what only Kubernetes says: a process runtime refused before anything is applied, an image that
 * does not exist, a crash loop with its log lines, a request no node can hold, a package with a
 * persistent volume run as a StatefulSet whose data outlives its pod, logs, files through exec,
 * and nothing left in the namespace (checked with the API) after uninstall.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome, writeRepositories, type TempHome } from '../helpers/index.js';
import { kubeCluster } from '../helpers/kubernetes.js';
import { helloWorldScenarios } from './scenarios.js';
import type { Json } from './support.js';

const kube = kubeCluster(import.meta.filename);
const FIXTURES = new URL('../fixtures/repos/kubernetes', import.meta.url).pathname;

let home: TempHome | undefined;
const dcos = (argv: string[]) => runCli(argv, { env: (home as TempHome).env, cwd: (home as TempHome).dir });
const KINDS = 'deployments,statefulsets,services,poddisruptionbudgets,persistentvolumeclaims,pods';

/** Everything in the namespace made for an app, as kind/name. */
async function objectsOf(instance: string): Promise<string[]> {
  const list = await kube.kubectl(['get', KINDS, '-l', `app.kubernetes.io/instance=${instance}`, '-o', 'json']);
  return list.items.map((o: Json) => `${o.kind}/${o.metadata.name}`);
}

const agent = () => (tls ??= new Agent({ keepAlive: true, ca: readFileSync(kube.env.K8S_CA), cert: readFileSync(kube.env.K8S_ADMIN_CERT), key: readFileSync(kube.env.K8S_ADMIN_KEY) }));
let tls: Agent | undefined;
function apiGet(path: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    get(`${kube.env.K8S_API_URL}${path}`, { agent: agent() }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${text}`))));
    }).on('error', reject);
  });
}

let attached: Promise<void> | undefined;
/** One home and one namespace for the file, attached once, whichever suite comes first. */
const attach = (): Promise<void> => (attached ??= attachCluster());

afterAll(async () => {
  if (kube.skip) return;
  tls?.destroy();
  await kube.cleanup();
  home?.cleanup();
});

async function attachCluster(): Promise<void> {
  home = tempHome();
  writeRepositories(home, [
    { name: 'bundled', uri: 'bundled' },
    { name: 'kubernetes-fixtures', uri: FIXTURES },
  ]);
  await kube.createNamespace();
  const r = await dcos(['cluster', 'setup', '--kubeconfig', kube.kubeconfig, '--namespace', kube.namespace, '--name', 'k8s-test']);
  if (r.exitCode !== 0) throw new Error(`cluster setup failed: ${r.stderr}`);
}

helloWorldScenarios({
  kind: 'Kubernetes',
  skip: kube.skip,
  setup: attach,
  // The file's afterAll removes the namespace and the home once both suites are done.
  teardown: async () => undefined,
  dcos,
  dir: () => (home as TempHome).dir,
  helloOptions: { service: { runtime: 'container' } },
  leftovers: (appId) => objectsOf(appId.replace(/^\//, '')),
  async healthy(appId) {
    // The API itself, with the admin certificate of env.sh: kubectl is too slow to sample with.
    const path = `/api/v1/namespaces/${kube.namespace}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${appId.replace(/^\//, '')}`)}`;
    const pods = await apiGet(path);
    return pods.items.filter((p: Json) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True')).length;
  },
  async endpoints(appId) {
    const pods = await kube.kubectl(['get', 'pods', '-l', `app.kubernetes.io/instance=${appId.replace(/^\//, '')}`, '-o', 'json']);
    return pods.items
      .filter((p: Json) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True'))
      .map((p: Json) => ({ host: p.status.podIP, ports: p.spec.containers[0].ports.map((x: Json) => x.containerPort) }));
  },
});

describe.skipIf(kube.skip)('what only Kubernetes says', () => {
  let n = 0;
  const options = (value: Json): string => {
    const file = join((home as TempHome).dir, `k8s-options-${++n}.json`);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  beforeAll(attach, 120_000);

  it('shows the attached cluster: kind, server version, context, namespace and nodes', async () => {
    const r = await dcos(['cluster', 'status', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({ name: 'k8s-test', kind: 'kubernetes', attached: true, health: 'available', namespace: kube.namespace, context: 'k8s-test' });
    expect(status.version).toMatch(/^v1\.\d+\.\d+/);
    expect(status.nodes).toEqual([{ name: '127.0.0.1', status: 'active', ip: '127.0.0.1' }]);
    const unknown = await dcos(['cluster', 'setup', '--kubeconfig', kube.kubeconfig, '--context', 'nope', '--name', 'other']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('has no context [nope]');
    expect(unknown.stderr).toContain('k8s-test');
  });

  it('attaches a context of KUBECONFIG as kube:<context>, and back to the named cluster', async () => {
    const env = { ...(home as TempHome).env, KUBECONFIG: kube.kubeconfig };
    const viaEnv = await runCli(['cluster', 'attach', 'kube:k8s-test'], { env, cwd: (home as TempHome).dir });
    expect(viaEnv.exitCode, viaEnv.stderr).toBe(0);
    const status = JSON.parse((await runCli(['cluster', 'status', '--json'], { env, cwd: (home as TempHome).dir })).stdout);
    expect(status).toMatchObject({ name: 'kube:k8s-test', kind: 'kubernetes', context: 'k8s-test', namespace: 'default', health: 'available' });
    const listed = await runCli(['cluster', 'list', '--json'], { env, cwd: (home as TempHome).dir });
    expect(JSON.parse(listed.stdout).map((c: Json) => [c.name, c.kind, c.attached])).toEqual([
      ['k8s-test', 'kubernetes', false],
      ['kube:k8s-test', 'kubernetes', true],
    ]);
    const back = await dcos(['cluster', 'attach', 'k8s-test']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(JSON.parse((await dcos(['cluster', 'status', '--json'])).stdout)).toMatchObject({ name: 'k8s-test', namespace: kube.namespace });
  });

  it('refuses the process runtime before applying anything, naming the field and the option to set', async () => {
    const r = await dcos(['package', 'install', 'hello-world', '--app-id', '/plain', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('cannot be translated for Kubernetes');
    expect(r.stderr).toContain('container.docker.image');
    expect(r.stderr).toContain('service.runtime=container');
    expect(await objectsOf('plain')).toEqual([]);
  });

  it('says which image cannot be pulled, exit 3', async () => {
    const r = await dcos(['package', 'install', 'hello-world', '--app-id', '/noimage', '--yes', '--options', options({ service: { runtime: 'container', image: 'k8s-test.local/does-not-exist:1' } })]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/(ErrImagePull|ImagePullBackOff|ErrImageNeverPull)/);
    expect(r.stderr).toContain('k8s-test.local/does-not-exist:1');
    expect((await dcos(['package', 'uninstall', 'hello-world', '--app-id', '/noimage', '--yes'])).exitCode).toBe(0);
    // The kubelet says so after its first pull attempt, which waits for the registry's name not to resolve.
  }, 240_000);

  it('reports a crash loop, exit 3, with the last lines the container wrote', async () => {
    const r = await dcos(['package', 'install', 'k8s-crasher', '--yes', '--timeout', '150s']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/CrashLoopBackOff.*exiting with code 2/);
    expect(r.stderr).toContain('fatal: missing config file /etc/crasher.conf');
    expect(r.stderr).toContain('dcos package uninstall k8s-crasher --app-id /k8s-crasher --yes');
    const log = await dcos(['task', 'log', '/k8s-crasher']);
    expect(log.stdout).toContain('starting crasher');
    expect((await dcos(['package', 'uninstall', 'k8s-crasher', '--yes'])).exitCode).toBe(0);
  }, 180_000);

  it('says at once, exit 3, when no node can hold the request, with the scheduler\'s reason', async () => {
    const started = Date.now();
    const r = await dcos(['package', 'install', 'hello-world', '--app-id', '/huge', '--yes', '--options', options({ service: { runtime: 'container', cpus: 64 } })]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('/huge cannot be placed');
    expect(r.stderr).toContain('Insufficient cpu');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await dcos(['package', 'uninstall', 'hello-world', '--app-id', '/huge', '--yes'])).exitCode).toBe(0);
  }, 120_000);

  it('runs a package with a persistent volume as a StatefulSet whose data survives the deletion of its pod', async () => {
    const r = await dcos(['package', 'install', 'k8s-keeper', '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const set = await kube.kubectl(['get', 'statefulset', 'k8s-keeper', '-o', 'json']);
    expect(set.spec.volumeClaimTemplates).toHaveLength(1);
    const [first] = JSON.parse(r.stdout).tasks;
    const before = await (await fetch(`http://${first.host}:${first.ports[0]}/seen`)).text();
    expect(before.trim().split('\n')).toHaveLength(1);
    await kube.kubectl(['delete', 'pod', first.id, '--wait=true']);
    const [again] = await kube.readyPods('app.kubernetes.io/instance=k8s-keeper', { timeoutMs: 120_000 });
    const after = await (await fetch(await kube.podUrl(again, first.ports[0], '/seen'))).text();
    // The same volume: what the first pod wrote is there, and the second pod added its line.
    expect(after.startsWith(before)).toBe(true);
    expect(after.trim().split('\n')).toHaveLength(2);
    const list = JSON.parse((await dcos(['package', 'list', 'k8s-keeper', '--json'])).stdout);
    expect(list[0].volumes).toEqual([expect.objectContaining({ appId: '/k8s-keeper', sizeMb: 16 })]);
    const files = await dcos(['task', 'ls', again.metadata.name, 'data']);
    expect(files.exitCode, files.stderr).toBe(0);
    expect(files.stdout.split('\n')).toContain('seen');
    expect((await dcos(['package', 'uninstall', 'k8s-keeper', '--yes'])).exitCode).toBe(0);
    expect(await objectsOf('k8s-keeper')).toEqual([]);
  }, 240_000);

  it('lists tasks as pods: state, health, node, IP and ports, in JSON and as a table', async () => {
    const r = await dcos(['package', 'install', 'hello-world', '--app-id', '/listed', '--yes', '--options', options({ service: { runtime: 'container' } })]);
    expect(r.exitCode, r.stderr).toBe(0);
    const [task] = JSON.parse((await dcos(['task', 'list', 'listed', '--json'])).stdout);
    const [pod] = (await kube.kubectl(['get', 'pods', '-l', 'app.kubernetes.io/instance=listed', '-o', 'json'])).items;
    expect(task).toMatchObject({ id: pod.metadata.name, serviceId: '/listed', state: 'TASK_RUNNING', health: 'healthy', node: '127.0.0.1', ip: pod.status.podIP, ports: [8080] });
    const log = await dcos(['task', 'log', task.id, '--lines', '1']);
    expect(log.stdout).toBe('hello-world 1.2.0 listening on port 8080\n');
    const stderr = await dcos(['task', 'log', task.id, '--stderr']);
    expect(stderr.stderr).toContain('stdout and stderr together');
    expect((await dcos(['package', 'uninstall', 'hello-world', '--app-id', '/listed', '--yes'])).exitCode).toBe(0);
    expect(await objectsOf('listed')).toEqual([]);
  }, 180_000);
});
