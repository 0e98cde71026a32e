/**
 * The bundled kafka 4.0.0 revision for real: its process runtime, installed with `dcos package
 * install kafka --yes` on the embedded cluster, runs the broker JVM from a distribution laid out
 * as the official tarball (assembled from Kafka's own jars on Maven Central, since no download
 * site is reachable: the test repository's copy of the revision names it and its checksum), and a
 * real client (kafkajs) produces and consumes. 10,000 messages are kept through a `package update`
 * with a changed option, a SIGKILL of the broker's JVM and a SIGKILL and restart of the daemon;
 * uninstall leaves no process and no volume. Needs Java 17+ and Maven (.ci/run has both).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';
import { isAlive, processesOfAgent, waitFor } from '../helpers/daemon.js';
import { assembleDist, testRepository } from '../helpers/maven-dist.js';
import type { Json } from './support.js';

const VERSION = '4.0.0';
const TOP = `kafka_2.13-${VERSION}`;
const REVISION = 3;
const TOPIC = 'dcos-it';
const FIRST = 10_000;

/** What is missing to run this file (Java 17+, Maven), or '' when nothing is. */
function missingPrerequisite(): string {
  try {
    const v = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    void v;
  } catch {
    return 'java (Java 17 or newer) is not on the PATH';
  }
  const line = execFileSync('sh', ['-c', 'java -version 2>&1 | head -n 1'], { encoding: 'utf8' });
  const major = Number(/version "(?:1\.)?(\d+)/.exec(line)?.[1]);
  if (!(major >= 17)) return `java on the PATH is not Java 17 or newer: ${line.trim()}`;
  try {
    execFileSync('mvn', ['-v'], { stdio: 'ignore' });
  } catch {
    return 'mvn (Maven) is not on the PATH';
  }
  return '';
}

const missing = missingPrerequisite();
if (missing && process.env.CI === 'true') throw new Error(`kafka-real needs ${missing}: .ci/run installs default-jre-headless and maven`);
if (missing) console.warn(`kafka-real skipped: ${missing}`);

describe.skipIf(Boolean(missing))(`kafka ${VERSION} as a process, with a real client`, () => {
  let home: TempHome;
  let repo: { dir: string; cleanup(): void } | undefined;
  let url = '';
  let token = '';
  let dataDir = '';
  let agentId = '';
  const dcos = (argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });
  const api = async (path: string): Promise<Json> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `token=${token}` } });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const up = async (): Promise<Json> => {
    const r = await dcos(['cluster', 'up', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    ({ url, dataDir } = info);
    token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    agentId = (await api('/mesos/master/state.json')).slaves[0].id;
    return info;
  };
  const options = (name: string, value: unknown): string => {
    const file = join(home.dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const volumeDirs = (): string[] => {
    const root = join(dataDir, 'volumes');
    return existsSync(root) ? readdirSync(root) : [];
  };
  const tasks = async (): Promise<Json[]> => (await api('/v2/apps/kafka/tasks')).tasks;
  const healthyTask = (what: string, accept: (t: Json) => boolean = () => true): Promise<Json> =>
    waitFor(
      async () => {
        const all = await tasks();
        const ok = all.filter((t) => t.state === 'TASK_RUNNING' && t.healthCheckResults?.[0]?.alive === true && accept(t));
        return all.length === 1 && ok.length === 1 ? ok[0] : undefined;
      },
      // JVMs start slowly on two loaded cores, and the check runs every 15 s.
      { what: `/kafka: ${what}`, timeoutMs: 300_000, intervalMs: 250 },
    );
  const brokers = (): Json[] => processesOfAgent(agentId).filter((p) => p.cmdline.includes('kafka.Kafka'));
  const brokerPid = (task: Json): number => {
    const mine = brokers().filter((p) => p.taskId === task.id);
    expect(mine).toHaveLength(1);
    return mine[0].pid;
  };
  const persistenceIds = (task: Json): string[] => (task.localVolumes ?? []).map((v: Json) => v.persistenceId);

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
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first');
    const dist = await assembleDist({
      file: `${TOP}.tgz`,
      top: TOP,
      jarsDir: 'libs',
      artifacts: [
        `org.apache.kafka:kafka_2.13:${VERSION}`,
        `org.apache.kafka:kafka-tools:${VERSION}`,
        'org.apache.logging.log4j:log4j-core:2.24.3',
        'org.apache.logging.log4j:log4j-slf4j-impl:2.24.3',
      ],
    });
    repo = testRepository('kafka', REVISION, { 'kafka-dist': `file://${dist.path}#sha512=${dist.sha512}` });
    home = tempHome({ DCOS_NODE_DISK: '20000' });
    mkdirSync(home.env.DCOS_DIR, { recursive: true });
    writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'kafka-test', uri: repo.dir }] }));
    await up();
  }, 20 * 60_000);

  afterAll(async () => {
    if (home) {
      await dcos(['cluster', 'up']);
      await dcos(['cluster', 'down']);
      home.cleanup();
    }
    repo?.cleanup();
  }, 120_000);

  it('a node without Java 17 (none, or an older one) fails the install at once, saying which Java it found', async () => {
    const r = await dcos(['package', 'install', 'kafka', '--options', options('nojava', { service: { java_home: '/nonexistent/jdk' } }), '--yes', '--timeout', '120s']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('Kafka needs Java 17 or newer: no java in service.java_home /nonexistent/jdk');
    const un = await dcos(['package', 'uninstall', 'kafka', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(volumeDirs().filter((d) => d.startsWith('kafka#'))).toEqual([]);

    // A Java older than 17: named with the version it reports.
    const old = join(home.dir, 'jdk11');
    mkdirSync(join(old, 'bin'), { recursive: true });
    writeFileSync(join(old, 'bin', 'java'), '#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n', { mode: 0o755 });
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
    const onVolume = readdirSync(join(dataDir, 'volumes', volume));
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
    const daemon = JSON.parse((await dcos(['cluster', 'status', '--json'])).stdout).pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), { what: `daemon ${daemon} gone`, timeoutMs: 10_000, intervalMs: 20 });
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
