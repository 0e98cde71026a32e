/**
 * The bundled kafka 4.0.0 for real on Kubernetes with its container runtime: `dcos package install
 * kafka` with service.runtime container, run as a StatefulSet on a volume claim; a client produces
 * and consumes over the pod IP, the pod is deleted and its replacement has every message. No
 * registry is reachable: the image is built here as the official one is laid out (see
 * services-containers.test.ts), saved from Podman and imported into the node's containerd.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { javaAndMavenMissing, requireBuild, requireOrSkip } from '../helpers/cli-cluster.js';
import { javaDistImage, podmanReady } from '../helpers/container-images.js';
import { runCli, tempHome, writeRepositories, type TempHome } from '../helpers/index.js';
import { kubeCluster } from '../helpers/kubernetes.js';
import { assembleDist, testRepositoryOf } from '../helpers/maven-dist.js';
import { KAFKA_DIST } from '../helpers/service-dists.js';
import { consumeAll, kafkaAt, messages, produce } from '../helpers/kafka-client.js';
import type { Json } from './support.js';

const FILE = 'kubernetes-services.test.ts';
const kube = kubeCluster(import.meta.filename);
const skip = kube.skip || requireOrSkip(FILE, javaAndMavenMissing()) || !podmanReady();

/** Puts a Podman image into the Kubernetes node's containerd, under the same name. */
function importIntoNode(image: string, dir: string): void {
  const tar = join(dir, 'image.tar');
  execFileSync('podman', ['save', '--format', 'docker-archive', '-o', tar, image], { timeout: 300_000 });
  execFileSync('ctr', ['--address', kube.env.K8S_CONTAINERD_SOCK, '-n', 'k8s.io', 'images', 'import', tar], { timeout: 300_000 });
  rmSync(tar, { force: true });
}

describe.skipIf(skip)('kafka 4.0.0 on Kubernetes with service.runtime container', () => {
  let home: TempHome;
  let dir = '';
  let repo: { dir: string; cleanup(): void } | undefined;
  const dcos = (argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'dcos-k8s-kafka-'));
    const dist = await assembleDist(KAFKA_DIST);
    const image = javaDistImage('kafka', dist);
    importIntoNode(image, dir);
    repo = testRepositoryOf('kafka', [{ revision: 3, uris: { 'kafka-dist': `file://${dist.path}#sha512=${dist.sha512}` }, images: { kafka: image } }]);
    home = tempHome();
    writeRepositories(home, [{ name: 'kafka-test', uri: repo.dir }]);
    await kube.createNamespace();
    const r = await dcos(['cluster', 'setup', '--kubeconfig', kube.kubeconfig, '--namespace', kube.namespace, '--name', 'k8s-test']);
    expect(r.exitCode, r.stderr).toBe(0);
  }, 20 * 60_000);
  afterAll(async () => {
    await kube.cleanup();
    repo?.cleanup();
    home?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the broker as a StatefulSet: a client produces and consumes over the pod IP, a deleted pod comes back with every message', async () => {
    const opts = join(home.dir, 'kafka.json');
    writeFileSync(opts, JSON.stringify({ service: { runtime: 'container', mem: 1024 }, storage: { size_mb: 1024 }, kafka: { heap_mb: 384 } }));
    const install = await dcos(['package', 'install', 'kafka', '--options', opts, '--yes', '--timeout', '300s', '--json']);
    expect(install.exitCode, install.stderr).toBe(0);
    const set = await kube.kubectl(['get', 'statefulset', 'kafka', '-o', 'json']);
    expect(set.spec.volumeClaimTemplates).toHaveLength(1);
    const [task] = JSON.parse(install.stdout).tasks;
    const broker = `${task.host}:${task.ports[0]}`;
    const admin = kafkaAt(broker).admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'on-kubernetes', numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }
    await produce(broker, 'on-kubernetes', 0, 300);
    expect((await consumeAll(broker, 'on-kubernetes', 300)).sort()).toEqual(messages(0, 300));

    await kube.kubectl(['delete', 'pod', task.id, '--wait=true']);
    const [again] = await kube.readyPods('app.kubernetes.io/instance=kafka', { timeoutMs: 300_000 });
    const next = `${(again as Json).status.podIP}:${task.ports[0]}`;
    await produce(next, 'on-kubernetes', 300, 10);
    expect((await consumeAll(next, 'on-kubernetes', 310)).sort()).toEqual(messages(0, 310));

    const removed = await dcos(['package', 'uninstall', 'kafka', '--yes']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    const left = await kube.kubectl(['get', 'statefulsets,services,poddisruptionbudgets,persistentvolumeclaims,pods', '-l', 'app.kubernetes.io/instance=kafka', '-o', 'json']);
    expect(left.items.map((o: Json) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  }, 900_000);
});
