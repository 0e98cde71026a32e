/**
 * The bundled cassandra package for real: `dcos package install cassandra --yes` on the embedded
 * cluster runs Cassandra 5.0.9 as a JVM from its release distribution (assembled from the
 * project's jars on Maven Central, as no download site is reachable here, and installed from a
 * copy of the bundled revision naming that tarball and its checksum), and a real client
 * (cassandra-driver from npm) writes 1,000 rows and reads them back after a `package update` with
 * a changed option, a SIGKILL of the JVM, and a SIGKILL and restart of the daemon; new rows go
 * through after each. A node without Java 17+ fails the install at once (exit 3) saying what it
 * found; uninstall leaves no process and no volume. Needs Java 17+ and Maven (.ci/run has both).
 */
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleDist } from '../helpers/maven-dist.js';
import { CASSANDRA_DIST, CASSANDRA_VERSION } from '../helpers/service-dists.js';
import { cliCluster, javaAndMavenMissing, persistenceIds, requireBuild, requireOrSkip } from '../helpers/cli-cluster.js';
import { isAlive, processesOfAgent, waitFor } from '../helpers/daemon.js';
import type { Json } from './support.js';

const VERSION = CASSANDRA_VERSION;
const BUNDLED_REVISION = 2;
const ROWS = 1000;

describe.skipIf(requireOrSkip('cassandra-real', javaAndMavenMissing()))(`cassandra ${VERSION} from its release distribution, with cassandra-driver`, () => {
  const c = cliCluster({ env: { DCOS_NODE_DISK: '20000', DCOS_NODE_MEM: '8192' }, healthyTask: { timeoutMs: 300_000, intervalMs: 250 } });
  const { dcos, options, volumeDirs, up } = c;
  /** The app's one task once it runs and its CQL health check passed, and `accept` takes it. */
  const healthyTask = (what: string, accept?: (t: Json) => boolean): Promise<Json> => c.healthyTask('/cassandra', what, accept);
  /** The Cassandra JVM of a task. */
  const jvmOf = (task: Json) => {
    const jvms = processesOfAgent(c.agentId).filter((p) => p.taskId === task.id && p.cmdline.includes('org.apache.cassandra.service.CassandraDaemon'));
    expect(jvms).toHaveLength(1);
    return jvms[0];
  };

  /** A session of the real driver on the task's CQL port, closed after `use`. */
  async function withClient<T>(task: Json, use: (c: cassandra.Client) => Promise<T>): Promise<T> {
    const client = new cassandra.Client({
      contactPoints: [task.host],
      protocolOptions: { port: task.ports[0] },
      localDataCenter: 'dc1',
      socketOptions: { connectTimeout: 20_000, readTimeout: 60_000 },
    });
    try {
      await client.connect();
      return await use(client);
    } finally {
      await client.shutdown();
    }
  }

  /** Writes rows [from, to) of the table, 50 at a time. */
  async function writeRows(c: cassandra.Client, from: number, to: number): Promise<void> {
    const insert = 'INSERT INTO dcos_it.rows (id, body) VALUES (?, ?)';
    for (let start = from; start < to; start += 50) {
      const batch: Promise<unknown>[] = [];
      for (let i = start; i < Math.min(to, start + 50); i++) batch.push(c.execute(insert, [i, `row ${i}`], { prepare: true }));
      await Promise.all(batch);
    }
  }

  /** Every row written so far, read back whole. */
  async function expectRows(c: cassandra.Client, count: number): Promise<void> {
    // One page holds them all: a page state would mean rows not read.
    const result = await c.execute('SELECT id, body FROM dcos_it.rows', [], { prepare: true, fetchSize: 5000 });
    expect(result.pageState).toBeNull();
    const rows = result.rows.map((r) => ({ id: r.get('id') as number, body: r.get('body') as string }));
    expect(rows.length).toBe(count);
    rows.sort((a, b) => a.id - b.id);
    expect(rows.every((r, i) => r.id === i && r.body === `row ${i}`)).toBe(true);
  }

  beforeAll(async () => {
    requireBuild();
    const dist = await assembleDist(CASSANDRA_DIST);
    c.useTestRepository('cassandra', BUNDLED_REVISION, { cassandra: `file://${dist.path}#sha512=${dist.sha512}` });
    await up();
  }, 20 * 60_000);

  afterAll(() => c.down(), 120_000);

  it('fails the install at once, exit 3, on a node whose Java is missing or older than 17', async () => {
    const nowhere = await dcos(['package', 'install', 'cassandra', '--options', options('no-java', { service: { java_home: '/nonexistent/jdk' } }), '--yes', '--timeout', '180s']);
    expect(nowhere.exitCode, nowhere.stderr).toBe(3);
    expect(nowhere.stderr).toContain('Cassandra 5.0.9 needs Java 17 or newer: found no /nonexistent/jdk/bin/java');
    expect((await dcos(['package', 'uninstall', 'cassandra', '--yes'])).exitCode).toBe(0);

    // A "Java 11": the message names what it found.
    const old = c.fakeJavaHome('jdk11', 'openjdk version "11.0.22" 2024-01-16');
    const eleven = await dcos(['package', 'install', 'cassandra', '--options', options('old-java', { service: { java_home: old } }), '--yes', '--timeout', '180s']);
    expect(eleven.exitCode, eleven.stderr).toBe(3);
    expect(eleven.stderr).toContain(`Cassandra 5.0.9 needs Java 17 or newer, and ${old}/bin/java is: openjdk version "11.0.22" 2024-01-16`);
    expect((await dcos(['package', 'uninstall', 'cassandra', '--yes'])).exitCode).toBe(0);
    expect(volumeDirs().filter((d) => d.startsWith('cassandra#'))).toEqual([]);
  }, 420_000);

  it(`keeps ${ROWS} rows through an update, a SIGKILL of the JVM and a daemon restart; uninstall leaves nothing`, async () => {
    const small = { service: { mem: 1536 }, cassandra: { max_heap_mb: 512 } };
    const install = await dcos(['package', 'install', 'cassandra', '--options', options('small', small), '--yes', '--json', '--timeout', '300s']);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(JSON.parse(install.stdout)).toMatchObject({ packageName: 'cassandra', packageVersion: VERSION, appId: '/cassandra' });
    let task = await healthyTask('installed');
    const [volume] = persistenceIds(task);
    expect(volume).toMatch(/^cassandra#data#[0-9a-f-]{36}$/);
    // The JVM runs straight from the distribution with the rendered config, not from a script.
    const jvm = jvmOf(task);
    expect(jvm.cmdline).toMatch(/^\S*java -Xms512m -Xmx512m /);
    expect(jvm.cmdline).toContain('--add-opens java.base/java.lang=ALL-UNNAMED');
    expect(jvm.cmdline).toMatch(new RegExp(`-cp \\S+/conf:\\S+/apache-cassandra-${VERSION}/lib/\\*`));

    let written = 0;
    await withClient(task, async (c) => {
      await c.execute("CREATE KEYSPACE dcos_it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      await c.execute('CREATE TABLE dcos_it.rows (id int PRIMARY KEY, body text)');
      await writeRows(c, 0, ROWS);
      written = ROWS;
      await expectRows(c, written);
    });
    const ls = await dcos(['task', 'ls', task.id, 'data']);
    expect(ls.exitCode, ls.stderr).toBe(0);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['commitlog', 'data', 'hints', 'saved_caches']));

    /** After a step: the task is on the same volume, every row is there, and 10 new ones go through. */
    const dataKept = async (t: Json) => {
      expect(persistenceIds(t)).toEqual([volume]);
      await withClient(t, async (c) => {
        await expectRows(c, written);
        await writeRows(c, written, written + 10);
        written += 10;
        await expectRows(c, written);
      });
    };

    // A changed option: a rolling replacement on the same volume, running with the new heap.
    const update = await dcos(['package', 'update', 'cassandra', '--options', options('heap', { cassandra: { max_heap_mb: 640 } }), '--yes', '--json', '--timeout', '300s']);
    expect(update.exitCode, update.stderr).toBe(0);
    const beforeUpdate = task.id;
    task = await healthyTask('replaced by the update', (t) => t.id !== beforeUpdate);
    expect(jvmOf(task).cmdline).toMatch(/ -Xms640m -Xmx640m /);
    await dataKept(task);

    // The JVM killed: relaunched as a new task on the volume, replaying its commit log.
    const killed = jvmOf(task).pid;
    process.kill(killed, 'SIGKILL');
    const beforeKill = task.id;
    task = await healthyTask(`relaunched after SIGKILL of pid ${killed}`, (t) => t.id !== beforeKill);
    expect(isAlive(killed)).toBe(false);
    await dataKept(task);

    // The daemon killed and started again: it re-adopts the task and its running JVM.
    const server = jvmOf(task).pid;
    await c.killDaemon();
    const again = await up();
    expect(again).toMatchObject({ started: true });
    const adopted = await healthyTask('re-adopted after the daemon restart');
    expect(adopted.id).toBe(task.id);
    expect(jvmOf(adopted).pid).toBe(server);
    await dataKept(adopted);

    // Uninstall: no process of the task, no volume.
    const un = await dcos(['package', 'uninstall', 'cassandra', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    await waitFor(() => !isAlive(server), { what: `cassandra JVM ${server} gone`, timeoutMs: 90_000 });
    expect(processesOfAgent(c.agentId).filter((p) => (p.taskId ?? '').startsWith('cassandra.'))).toEqual([]);
    expect(volumeDirs().filter((d) => d.startsWith('cassandra#'))).toEqual([]);
  }, 20 * 60_000);
});
