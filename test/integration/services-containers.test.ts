/**
 * The container runtimes of the bundled kafka 4.0.0, cassandra 5.0.9 and spark 3.5.5 revisions
 * for real, with Podman: `dcos package install <name> --options {service.runtime: container}
 * --yes` on the embedded cluster. No registry is reachable, so each image is built here as the
 * official one is laid out: a Java runtime on the PATH and the release distribution (assembled
 * from Maven Central, as the process tests do) at /opt/<name>; the test repository's copy of the
 * revision names it instead of the Docker Hub image. The packages run the same command in both
 * runtimes (only where the distribution is differs), so what runs here is what the template
 * renders, in a container, on the persistent volume mounted at `$MESOS_SANDBOX/data`.
 *
 * One service at a time: a real client of each, a SIGKILLed container relaunched on its volume with
 * its data (kafka, cassandra), the workers ALIVE and the logs (spark); uninstall leaves no container
 * and no volume. Needs Podman, busybox-static, a JDK 17+ (its jlink makes the images' runtime) and
 * Maven: .ci/run installs them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCluster, javaAndMavenMissing, persistenceIds, requireBuild, requireOrSkip } from '../helpers/cli-cluster.js';
import { agentContainers, inspectContainer, javaDistImage, kafka39ImageDouble, podmanReady, removeAgentContainers } from '../helpers/container-images.js';
import { processesOfAgent, waitFor } from '../helpers/daemon.js';
import { assembleDist, type DistSpec } from '../helpers/maven-dist.js';
import { CASSANDRA_DIST, KAFKA_39_DIST, KAFKA_DIST, SPARK_DIST } from '../helpers/service-dists.js';
import { consumeAll as consumeFrom, kafkaAt, messages, produce as produceTo } from '../helpers/kafka-client.js';
import type { Json } from './support.js';

const FILE = 'services-containers.test.ts';
const skip = requireOrSkip(FILE, javaAndMavenMissing()) || !podmanReady();

type Cluster = ReturnType<typeof cliCluster>;

/**
 * A cluster of one describe block that runs containers: `prepare` makes its test repository
 * (after the build check, before `dcos cluster up`); the teardown takes the cluster down and
 * removes any container a failed test left.
 */
function containerCluster(env: Record<string, string>, prepare: (c: Cluster) => Promise<void>): Cluster {
  const c = cliCluster({ env, healthyTask: { timeoutMs: 300_000, intervalMs: 250 } });
  beforeAll(async () => {
    requireBuild();
    await prepare(c);
    await c.up();
  }, 20 * 60_000);
  afterAll(async () => {
    const agent = c.agentId;
    await c.down();
    if (agent) removeAgentContainers(agent);
  }, 180_000);
  return c;
}

/**
 * One service's cluster: the image built from its distribution, and a test repository whose copy
 * of the bundled revision names that image (and the assembled tarball, so the process runtime's
 * asset stays valid).
 */
function serviceCluster(pkg: string, revision: number, asset: string, spec: DistSpec, env: Record<string, string>) {
  const state = { image: '' };
  const c = containerCluster(env, async (cluster) => {
    const dist = await assembleDist(spec);
    state.image = javaDistImage(pkg, dist);
    cluster.useTestRepository(pkg, revision, { [asset]: `file://${dist.path}#sha512=${dist.sha512}` }, { [pkg]: state.image });
  });
  return { c, state };
}

/** The app's one container: its name, and `podman inspect` of it. */
function containerOf(c: Cluster, task: Json): Json {
  const names = agentContainers(c.agentId);
  expect(names).toEqual([`dcos-${task.id}`]);
  const inspected = inspectContainer(names[0]);
  expect(inspected?.State?.Running).toBe(true);
  return inspected as Json;
}

/** The command lines of the processes in a container (`podman top`). */
function containerProcesses(name: string): string[] {
  return execFileSync('podman', ['top', name, 'args'], { encoding: 'utf8', timeout: 60_000 }).split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
}

/**
 * What a container was made of: its image, the JVM of `mainClass` from the image's Java, and the
 * sandbox and the volume mounted where the command expects them. `pid1`: the command execs the
 * JVM, so it is the container's first process (and the runtime's signals reach it).
 */
function expectRunsInImage(c: Cluster, task: Json, image: string, mainClass: string, opts: { pid1: boolean }): Json {
  const inspected = containerOf(c, task);
  expect(inspected.ImageName).toBe(image);
  const mounts = (inspected.Mounts as Json[]).map((m) => m.Destination);
  expect(mounts).toEqual(expect.arrayContaining(['/mnt/mesos/sandbox', '/mnt/mesos/sandbox/data']));
  // (The shell running the command names the class too: only JVMs count.)
  const jvms = containerProcesses(inspected.Name).filter((l) => /^(\/opt\/java\/openjdk\/bin\/)?java /.test(l) && l.split(' ').includes(mainClass));
  expect(jvms, `one ${mainClass} JVM in ${inspected.Name}`).toHaveLength(1);
  if (opts.pid1) {
    const cmdline = readFileSync(`/proc/${inspected.State.Pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline[0]).toMatch(/^(\/opt\/java\/openjdk\/bin\/)?java$/);
    expect(cmdline).toContain(mainClass);
  }
  return inspected;
}

/** SIGKILLs the task's container and waits for its relaunch, healthy, on the same volume. */
async function killContainer(c: Cluster, appId: string, task: Json): Promise<Json> {
  execFileSync('podman', ['kill', '--signal', 'KILL', `dcos-${task.id}`], { stdio: 'ignore', timeout: 60_000 });
  const next = await c.healthyTask(appId, 'relaunched after its container was killed', (t) => t.id !== task.id);
  expect(persistenceIds(next)).toEqual(persistenceIds(task));
  return next;
}

async function uninstallLeavesNothing(c: Cluster, pkg: string): Promise<void> {
  const r = await c.dcos(['package', 'uninstall', pkg, '--yes']);
  expect(r.exitCode, r.stderr).toBe(0);
  await waitFor(() => agentContainers(c.agentId).length === 0, { what: `${pkg}'s container removed`, timeoutMs: 60_000, intervalMs: 200 });
  await waitFor(() => c.volumeDirs().length === 0, { what: `${pkg}'s volume destroyed`, timeoutMs: 60_000, intervalMs: 200 });
}

const kafkaClient = (task: Json) => kafkaAt(`127.0.0.1:${task.ports[0]}`);
const produce = (task: Json, topic: string, from: number, count: number) => produceTo(`127.0.0.1:${task.ports[0]}`, topic, from, count);
const consumeAll = (task: Json, topic: string, expected: number) => consumeFrom(`127.0.0.1:${task.ports[0]}`, topic, expected);

async function createTopic(task: Json, topic: string): Promise<void> {
  const admin = kafkaClient(task).admin();
  await admin.connect();
  try {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
  } finally {
    await admin.disconnect();
  }
}

describe.skipIf(skip)('kafka 4.0.0 with service.runtime container', () => {
  const TOPIC = 'in-a-container';
  const { c, state } = serviceCluster('kafka', 3, 'kafka-dist', KAFKA_DIST, { DCOS_NODE_DISK: '20000' });
  it('runs the broker in the image on its volume: a client produces and consumes, a killed container relaunches with every message', async () => {
    const opts = c.options('kafka', { service: { runtime: 'container', mem: 1024 }, storage: { size_mb: 1024 }, kafka: { heap_mb: 384 } });
    const install = await c.dcos(['package', 'install', 'kafka', '--options', opts, '--yes', '--timeout', '300s']);
    expect(install.exitCode, install.stderr).toBe(0);
    const task = await c.healthyTask('/kafka', 'healthy in its container');
    expectRunsInImage(c, task, state.image, 'kafka.Kafka', { pid1: true });

    await createTopic(task, TOPIC);
    await produce(task, TOPIC, 0, 500);
    expect((await consumeAll(task, TOPIC, 500)).sort()).toEqual(messages(0, 500));

    const next = await killContainer(c, '/kafka', task);
    expectRunsInImage(c, next, state.image, 'kafka.Kafka', { pid1: true });
    await produce(next, TOPIC, 500, 10);
    expect((await consumeAll(next, TOPIC, 510)).sort()).toEqual(messages(0, 510));

    await uninstallLeavesNothing(c, 'kafka');
  }, 900_000);
});

describe.skipIf(skip)('cassandra 5.0.9 with service.runtime container', () => {
  const { c, state } = serviceCluster('cassandra', 2, 'cassandra', CASSANDRA_DIST, { DCOS_NODE_DISK: '20000', DCOS_NODE_MEM: '8192' });

  async function withSession<T>(task: Json, f: (s: cassandra.Client) => Promise<T>): Promise<T> {
    const s = new cassandra.Client({ contactPoints: [task.host], protocolOptions: { port: task.ports[0] }, localDataCenter: 'dc1', socketOptions: { connectTimeout: 20_000, readTimeout: 60_000 } });
    await s.connect();
    try {
      return await f(s);
    } finally {
      await s.shutdown();
    }
  }

  const rows = (task: Json): Promise<string[]> =>
    withSession(task, async (s) => (await s.execute('SELECT id, body FROM dcos_it.rows', [], { prepare: true, fetchSize: 5000 })).rows.map((r) => `${r.id}:${r.body}`).sort());

  it('runs CassandraDaemon in the image with the cassandra.yaml it rendered: rows written survive a killed container', async () => {
    const opts = c.options('cassandra', { service: { runtime: 'container' }, cassandra: { cluster_name: 'In A Container', max_heap_mb: 768 } });
    const install = await c.dcos(['package', 'install', 'cassandra', '--options', opts, '--yes', '--timeout', '420s']);
    expect(install.exitCode, install.stderr).toBe(0);
    const task = await c.healthyTask('/cassandra', 'CQL answers in its container');
    expectRunsInImage(c, task, state.image, 'org.apache.cassandra.service.CassandraDaemon', { pid1: true });

    const want = Array.from({ length: 200 }, (_, i) => `${i}:row ${i}`).sort();
    await withSession(task, async (s) => {
      // The cluster name is the rendered cassandra.yaml's, not the image's default.
      expect((await s.execute('SELECT cluster_name FROM system.local')).rows[0].cluster_name).toBe('In A Container');
      await s.execute("CREATE KEYSPACE dcos_it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      await s.execute('CREATE TABLE dcos_it.rows (id int PRIMARY KEY, body text)');
      for (let i = 0; i < 200; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => s.execute('INSERT INTO dcos_it.rows (id, body) VALUES (?, ?)', [i + j, `row ${i + j}`], { prepare: true })));
      }
    });
    expect(await rows(task)).toEqual(want);

    const next = await killContainer(c, '/cassandra', task);
    expect(await rows(next)).toEqual(want);

    await uninstallLeavesNothing(c, 'cassandra');
  }, 900_000);
});

describe.skipIf(skip)('spark 3.5.5 with service.runtime container', () => {
  const { c, state } = serviceCluster('spark', 2, 'spark-tgz', SPARK_DIST, { DCOS_NODE_DISK: '20000', DCOS_NODE_MEM: '8192' });

  it('runs the master and two workers in the image: every worker ALIVE at the master, their logs in dcos task log', async () => {
    const opts = c.options('spark', { service: { runtime: 'container' }, spark: { workers: 2 } });
    const install = await c.dcos(['package', 'install', 'spark', '--options', opts, '--yes', '--timeout', '300s']);
    expect(install.exitCode, install.stderr).toBe(0);
    const task = await c.healthyTask('/spark', 'its workers ALIVE in its container');
    // The command starts the master and the workers and waits for them: they are its children.
    const inspected = expectRunsInImage(c, task, state.image, 'org.apache.spark.deploy.master.Master', { pid1: false });
    expect(containerProcesses(inspected.Name).filter((l) => /^java /.test(l) && l.split(' ').includes('org.apache.spark.deploy.worker.Worker'))).toHaveLength(2);

    // The master's web UI, from the node (host network): itself ALIVE, both workers ALIVE.
    const master = (await (await fetch(`http://127.0.0.1:${task.ports[1]}/json/`)).json()) as Json;
    expect(master.status).toBe('ALIVE');
    expect(master.aliveworkers).toBe(2);
    expect((master.workers as Json[]).map((w) => w.state)).toEqual(['ALIVE', 'ALIVE']);

    const log = await c.dcos(['task', 'log', task.id, '--lines', '400', '--stderr']);
    expect(log.exitCode, log.stderr).toBe(0);
    expect(log.stdout).toContain('Master: I have been elected leader! New state: ALIVE');
    expect(log.stdout.match(/Worker: Successfully registered with master spark:\/\//g)).toHaveLength(2);

    await uninstallLeavesNothing(c, 'spark');
  }, 900_000);
});

describe.skipIf(skip)('kafka 3.9.0 (its image) updated to 4.0.0 (the process runtime) on the same volume', () => {
  const TOPIC = 'from-3-9';
  const c = containerCluster({ DCOS_NODE_DISK: '20000' }, async (cluster) => {
    const [old, current] = [await assembleDist(KAFKA_39_DIST), await assembleDist(KAFKA_DIST)];
    cluster.useTestRevisions('kafka', [
      { revision: 2, images: { kafka: kafka39ImageDouble(old) } },
      { revision: 3, uris: { 'kafka-dist': `file://${current.path}#sha512=${current.sha512}` } },
    ]);
  });

  it('keeps every message through the update; merged options naming the old service.disk are refused first, with nothing changed', async () => {
    const oldOptions = c.options('kafka-3.9', { service: { mem: 1024, disk: 1024 }, kafka: { heap_mb: 384 } });
    const install = await c.dcos(['package', 'install', 'kafka', '--package-version', '3.9.0', '--options', oldOptions, '--yes', '--timeout', '300s']);
    expect(install.exitCode, install.stderr).toBe(0);
    const task = await c.healthyTask('/kafka', '3.9.0 healthy in its image');
    expect(agentContainers(c.agentId)).toEqual([`dcos-${task.id}`]);
    await createTopic(task, TOPIC);
    await produce(task, TOPIC, 0, 300);
    expect((await consumeAll(task, TOPIC, 300)).sort()).toEqual(messages(0, 300));

    // Merged into the 3.9.0 install's options, service.disk (gone in 4.0.0) is refused by name.
    const newOptions = c.options('kafka-4.0', { service: { mem: 1024 }, storage: { size_mb: 1024 }, kafka: { heap_mb: 384 } });
    const merged = await c.dcos(['package', 'update', 'kafka', '--package-version', '4.0.0', '--options', newOptions, '--yes']);
    expect(merged.exitCode).toBe(1);
    expect(merged.stderr).toMatch(/service.*disk/);
    expect((await c.tasks('/kafka')).map((t) => t.id)).toEqual([task.id]);

    // With only the new options (the volume the same size): 4.0.0 takes the volume over.
    const update = await c.dcos(['package', 'update', 'kafka', '--package-version', '4.0.0', '--replace-options', '--options', newOptions, '--yes', '--timeout', '300s']);
    expect(update.exitCode, update.stderr).toBe(0);
    const next = await c.healthyTask('/kafka', '4.0.0 healthy as a process', (t) => t.id !== task.id);
    expect(persistenceIds(next)).toEqual(persistenceIds(task));
    await waitFor(() => agentContainers(c.agentId).length === 0, { what: "3.9.0's container gone", timeoutMs: 60_000, intervalMs: 200 });
    const brokers = processesOfAgent(c.agentId).filter((p) => p.taskId === next.id && p.cmdline.includes('kafka.Kafka'));
    expect(brokers).toHaveLength(1);
    expect(brokers[0].cmdline).toContain(`${KAFKA_DIST.top}/libs/*`);
    expect((await consumeAll(next, TOPIC, 300)).sort()).toEqual(messages(0, 300));
    await produce(next, TOPIC, 300, 10);
    expect((await consumeAll(next, TOPIC, 310)).sort()).toEqual(messages(0, 310));
    const listed = JSON.parse((await c.dcos(['package', 'list', '--json'])).stdout);
    expect(listed.map((p: Json) => [p.name, p.version])).toEqual([['kafka', '4.0.0']]);

    await uninstallLeavesNothing(c, 'kafka');
  }, 900_000);
});
