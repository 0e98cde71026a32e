/**
 * The bundled kafka 4.0.0 revision for real: its process runtime, installed with `dcos package
 * install kafka --yes` on the embedded cluster, runs the broker JVM from a distribution laid out
 * as the official tarball (assembled from Kafka's own jars on Maven Central, since no download
 * site is reachable: the test repository's copy of the revision names it and its checksum), and a
 * real client (kafkajs) produces and consumes. 10,000 messages are kept through a `package update`
 * with a changed option, a SIGKILL of the broker's JVM and a SIGKILL and restart of the daemon;
 * uninstall leaves no process and no volume. Needs Java 17+ and Maven (.ci/run has both).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCluster, javaAndMavenMissing, persistenceIds, requireBuild, requireOrSkip } from '../helpers/cli-cluster.js';
import { isAlive, processesOfAgent, waitFor } from '../helpers/daemon.js';
import { assembleDist } from '../helpers/maven-dist.js';
import { KAFKA_DIST, KAFKA_VERSION } from '../helpers/service-dists.js';
import type { Json } from './support.js';

const VERSION = KAFKA_VERSION;
const TOP = KAFKA_DIST.top;
const REVISION = 3;
const TOPIC = 'dcos-it';
const FIRST = 10_000;

describe.skipIf(requireOrSkip('kafka-real', javaAndMavenMissing()))(`kafka ${VERSION} as a process, with a real client`, () => {
  // JVMs start slowly on two loaded cores, and the check runs every 15 s.
  const c = cliCluster({ env: { DCOS_NODE_DISK: '20000' }, healthyTask: { timeoutMs: 300_000, intervalMs: 250 } });
  const { dcos, options, volumeDirs, up } = c;
  const healthyTask = (what: string, accept?: (t: Json) => boolean): Promise<Json> => c.healthyTask('/kafka', what, accept);
  const brokers = (): Json[] => processesOfAgent(c.agentId).filter((p) => p.cmdline.includes('kafka.Kafka'));
  const brokerPid = (task: Json): number => {
    const mine = brokers().filter((p) => p.taskId === task.id);
    expect(mine).toHaveLength(1);
    return mine[0].pid;
  };

  const client = (task: Json) => new Kafka({ clientId: 'dcos-it', brokers: [`127.0.0.1:${task.ports[0]}`], logLevel: logLevel.NOTHING, retry: { retries: 8 } });

  async function withAdmin<T>(task: Json, f: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = client(task).admin();
    await admin.connect();
    try {
      return await f(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Produces `count` messages `<stage>-<i>`, acknowledged by the broker (acks: all). */
  async function produce(task: Json, stage: string, count: number): Promise<void> {
    const producer = client(task).producer();
    await producer.connect();
    try {
      for (let i = 0; i < count; i += 1000) {
        const n = Math.min(1000, count - i);
        await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ value: `${stage}-${i + j}` })) });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Every message of the topic, read from the beginning by a new consumer group. */
  async function consumeAll(task: Json, expected: number): Promise<string[]> {
    const consumer = client(task).consumer({ groupId: `dcos-it-${Date.now()}-${Math.random()}` });
    const values: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      let done: () => void = () => {};
      const all = new Promise<void>((resolve) => (done = resolve));
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) values.push(m.value?.toString() ?? '');
          if (values.length >= expected) done();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 120_000)));
      await Promise.race([all, timeout]);
      clearTimeout(timer);
    } finally {
      await consumer.disconnect();
    }
    return values;
  }

  /** What the topic must hold: `FIRST` messages of the install, then `extra` of each later stage. */
  const written: Array<[string, number]> = [];
  async function write(task: Json, stage: string, count: number): Promise<void> {
    await produce(task, stage, count);
    written.push([stage, count]);
  }
  async function expectAll(task: Json): Promise<void> {
    const total = written.reduce((n, [, c]) => n + c, 0);
    const values = await consumeAll(task, total);
    expect(values.length).toBe(total);
    const want = written.flatMap(([stage, c]) => Array.from({ length: c }, (_, i) => `${stage}-${i}`));
    expect(values.sort()).toEqual(want.sort());
  }

  beforeAll(async () => {
    requireBuild();
    const dist = await assembleDist(KAFKA_DIST);
    c.useTestRepository('kafka', REVISION, { 'kafka-dist': `file://${dist.path}#sha512=${dist.sha512}` });
    await up();
  }, 20 * 60_000);

  afterAll(() => c.down(), 120_000);

  it('a node without Java 17 (none, or an older one) fails the install at once, saying which Java it found', async () => {
    const r = await dcos(['package', 'install', 'kafka', '--options', options('nojava', { service: { java_home: '/nonexistent/jdk' } }), '--yes', '--timeout', '120s']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('Kafka needs Java 17 or newer: no java in service.java_home /nonexistent/jdk');
    const un = await dcos(['package', 'uninstall', 'kafka', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(volumeDirs().filter((d) => d.startsWith('kafka#'))).toEqual([]);

    // A Java older than 17: named with the version it reports.
    const old = c.fakeJavaHome('jdk11', 'openjdk version "11.0.22" 2024-01-16');
    const r11 = await dcos(['package', 'install', 'kafka', '--options', options('java11', { service: { java_home: old } }), '--yes', '--timeout', '120s']);
    expect(r11.exitCode, r11.stderr).toBe(3);
    expect(r11.stderr).toContain(`Kafka needs Java 17 or newer: ${old}/bin/java (from service.java_home ${old}) is openjdk version "11.0.22" 2024-01-16`);
    const un11 = await dcos(['package', 'uninstall', 'kafka', '--yes']);
    expect(un11.exitCode, un11.stderr).toBe(0);
  }, 300_000);

  it('keeps 10,000 messages through an update, a SIGKILL of the broker and of the daemon; uninstall leaves nothing', async () => {
    const small = { service: { mem: 1024 }, storage: { size_mb: 1024 }, kafka: { heap_mb: 512 } };
    const install = await dcos(['package', 'install', 'kafka', '--options', options('small', small), '--yes', '--json', '--timeout', '300s']);
    expect(install.exitCode, install.stderr).toBe(0);
    let task = await healthyTask('installed');
    const [volume] = persistenceIds(task);
    expect(volume).toMatch(/^kafka#data#[0-9a-f-]{36}$/);
    expect(volumeDirs()).toContain(volume);
    // The broker is the JVM of the fetched distribution, not a script of it.
    expect(brokerPid(task)).toBeGreaterThan(0);
    expect(brokers()[0].cmdline).toContain(`${TOP}/libs/*`);

    await withAdmin(task, async (admin) => {
      expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    });
    await write(task, 'install', FIRST);
    await expectAll(task);
    // The topic's data is on the volume.
    const onVolume = readdirSync(join(c.dataDir, 'volumes', volume));
    expect(onVolume).toEqual(expect.arrayContaining(['meta.properties', `${TOPIC}-0`, `${TOPIC}-1`, `${TOPIC}-2`]));

    // A changed option: a rolling replacement on the same volume, running with the new value.
    const update = await dcos(['package', 'update', 'kafka', '--options', options('update', { kafka: { message_max_bytes: 2_000_000 } }), '--yes', '--json', '--timeout', '300s']);
    expect(update.exitCode, update.stderr).toBe(0);
    const beforeUpdate = task.id;
    task = await healthyTask('replaced by the update', (t) => t.id !== beforeUpdate);
    expect(persistenceIds(task)).toEqual([volume]);
    const maxBytes = await withAdmin(task, async (admin) => {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: '1', configNames: ['message.max.bytes'] }] });
      return resources[0].configEntries.find((e) => e.configName === 'message.max.bytes')?.configValue;
    });
    expect(maxBytes).toBe('2000000');
    await expectAll(task);
    await write(task, 'update', 100);
    await expectAll(task);

    // The broker's JVM killed: relaunched as a new task on the same volume.
    const killed = brokerPid(task);
    process.kill(killed, 'SIGKILL');
    const beforeKill = task.id;
    task = await healthyTask(`relaunched after SIGKILL of pid ${killed}`, (t) => t.id !== beforeKill);
    expect(isAlive(killed)).toBe(false);
    expect(persistenceIds(task)).toEqual([volume]);
    await expectAll(task);
    await write(task, 'kill', 100);
    await expectAll(task);

    // The daemon killed and started again: it re-adopts the same broker, still on its volume.
    const broker = brokerPid(task);
    await c.killDaemon();
    const again = await up();
    expect(again).toMatchObject({ started: true });
    const adopted = await healthyTask('re-adopted after the daemon restart');
    expect(adopted.id).toBe(task.id);
    expect(brokerPid(adopted)).toBe(broker);
    await expectAll(adopted);
    await write(adopted, 'restart', 100);
    await expectAll(adopted);

    // Uninstall: no broker left, and the volume is destroyed.
    const un = await dcos(['package', 'uninstall', 'kafka', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    await waitFor(() => !isAlive(broker), { what: `broker ${broker} gone`, timeoutMs: 60_000 });
    expect(brokers()).toEqual([]);
    expect(volumeDirs().filter((d) => d.startsWith('kafka#'))).toEqual([]);
  }, 1_500_000);
});
