/**
 * The bundled spark package for real: `dcos package install spark` runs a standalone master and
 * two workers as JVMs from a Spark 3.5.5 distribution (assembled from Spark's jars on Maven
 * Central, laid out as spark-3.5.5-bin-hadoop3.tgz) that the agent fetches, checks and caches. A
 * job the test compiles against the same jars is submitted with the distribution's SparkSubmit,
 * runs on both workers and returns the right answer; the workers' work directories (the job's jar
 * and its executors' logs) stay on the persistent volume through a `package update` with a
 * changed option, a SIGKILL of the master's JVM and a SIGKILL and restart of the daemon, and new
 * jobs keep running; uninstall leaves no process and no volume. A node without Java 17 is refused
 * at once. Needs Java 17+ (javac) and Maven: in CI a missing one fails, elsewhere the file skips.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCluster, javaAndMavenMissing, persistenceIds, requireBuild, requireOrSkip } from '../helpers/cli-cluster.js';
import { isAlive, processesOfAgent, waitFor } from '../helpers/daemon.js';
import { assembleDist } from '../helpers/maven-dist.js';
import { SPARK_DIST, SPARK_VERSION } from '../helpers/service-dists.js';
import type { Json } from './support.js';

const run = promisify(execFile);

const VERSION = SPARK_VERSION;
const TOP = SPARK_DIST.top;

/** What Spark's launcher adds to a driver's JVM on Java 17 (`bin/spark-submit` does it itself). */
const JAVA17_DRIVER_FLAGS = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  ...['java.lang', 'java.lang.invoke', 'java.lang.reflect', 'java.io', 'java.net', 'java.nio', 'java.util', 'java.util.concurrent', 'java.util.concurrent.atomic', 'sun.nio.ch', 'sun.nio.cs', 'sun.security.action', 'sun.util.calendar'].map(
    (p) => `--add-opens=java.base/${p}=ALL-UNNAMED`,
  ),
  '-Djdk.reflect.useDirectMethodHandle=false',
];

/** The job: the sum of 0..n-1 over 4 partitions, which needs the executors of both workers. */
const JOB_SOURCE = `import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

public class SumJob {
  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName(args[1]));
    List<Integer> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) xs.add(i);
    long sum = sc.parallelize(xs, 4).map(i -> (long) i).reduce(Long::sum);
    System.out.println("RESULT " + sum);
    sc.stop();
  }
}
`;

describe.skipIf(requireOrSkip('spark-real', javaAndMavenMissing({ javac: true })))('spark for real: a standalone master and workers from the release distribution', () => {
  const c = cliCluster({ env: { DCOS_NODE_DISK: '20000' }, healthyTask: { timeoutMs: 300_000, intervalMs: 250 } });
  const { dcos, options, volumeDirs, up, healthyTask } = c;
  let work = '';
  let jars = '';
  let jobJar = '';

  const masterJson = async (task: Json): Promise<Json> => {
    const res = await fetch(`http://127.0.0.1:${task.ports[1]}/json/`);
    expect(res.status).toBe(200);
    return res.json();
  };
  /** The JVMs of the task: its master and its workers. */
  const jvms = (task: Json) => {
    // The JVMs themselves, not the task's shell, whose command line names both classes too.
    const procs = processesOfAgent(c.agentId).filter((p) => p.taskId === task.id && /(^|\/)java$/.test(p.cmdline.split(' ')[0]));
    return {
      master: procs.filter((p) => p.cmdline.includes('org.apache.spark.deploy.master.Master')),
      workers: procs.filter((p) => p.cmdline.includes('org.apache.spark.deploy.worker.Worker')),
    };
  };

  /** Submits the job with the distribution's SparkSubmit; returns its application id. */
  const submit = async (task: Json, name: string, n: number): Promise<string> => {
    const args = [
      '-Xmx512m',
      ...JAVA17_DRIVER_FLAGS,
      '-cp',
      `${jars}/*`,
      'org.apache.spark.deploy.SparkSubmit',
      '--master',
      `spark://127.0.0.1:${task.ports[0]}`,
      '--conf',
      'spark.driver.host=127.0.0.1',
      '--conf',
      'spark.driver.bindAddress=127.0.0.1',
      '--conf',
      'spark.executor.memory=512m',
      '--conf',
      'spark.ui.enabled=false',
      '--class',
      'SumJob',
      jobJar,
      String(n),
      name,
    ];
    let stdout = '';
    try {
      ({ stdout } = await run('java', args, { timeout: 240_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1' } }));
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`spark-submit of ${name} failed: ${e.message}\n${e.stdout ?? ''}\n${(e.stderr ?? '').slice(-4000)}`);
    }
    expect(stdout.trim().split('\n')).toContain(`RESULT ${(BigInt(n) * BigInt(n - 1)) / 2n}`);
    const app = (await masterJson(task)).completedapps.find((a: Json) => a.name === name);
    expect(app, `${name} among the master's completed applications`).toBeDefined();
    expect(app.state).toBe('FINISHED');
    return app.id;
  };
  /** The application's directory on the volume: one executor directory per worker, its logs in it. */
  const expectAppKept = async (task: Json, appId: string) => {
    const ls = await dcos(['task', 'ls', task.id, `data/work/${appId}`]);
    expect(ls.exitCode, ls.stderr).toBe(0);
    const executors = ls.stdout.split('\n').filter(Boolean);
    expect(executors.length, `${appId}: executors ${executors.join(', ')}`).toBe(2);
    const stderrLog = await dcos(['task', 'log', task.id, `data/work/${appId}/${executors[0]}/stderr`, '--lines', '5000']);
    expect(stderrLog.exitCode, stderrLog.stderr).toBe(0);
    expect(stderrLog.stdout).toContain('CoarseGrainedExecutorBackend');
  };

  beforeAll(async () => {
    requireBuild();
    const dist = await assembleDist(SPARK_DIST);
    work = mkdtempSync(join(tmpdir(), 'dcos-spark-it-'));
    // The client side: the same distribution, unpacked, and the job compiled against its jars.
    await run('tar', ['-xzf', dist.path, '-C', work]);
    jars = join(work, TOP, 'jars');
    mkdirSync(join(work, 'job', 'classes'), { recursive: true });
    writeFileSync(join(work, 'job', 'SumJob.java'), JOB_SOURCE);
    await run('javac', ['-d', join(work, 'job', 'classes'), '-cp', `${jars}/*`, join(work, 'job', 'SumJob.java')], { timeout: 120_000 });
    jobJar = join(work, 'job', 'sumjob.jar');
    await run('jar', ['cf', jobJar, '-C', join(work, 'job', 'classes'), '.'], { timeout: 60_000 });

    c.useTestRepository('spark', 2, { 'spark-tgz': `file://${dist.path}#sha512=${dist.sha512}` });
    await up();
  }, 1_200_000);

  afterAll(async () => {
    await c.down();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('a node without Java 17 fails the install at once, saying what it found (exit 3)', async () => {
    const nowhere = join(work, 'no-jdk');
    const opts = options('nojava', { service: { name: '/spark-nojava', java_home: nowhere }, storage: { size_mb: 64 } });
    const install = await dcos(['package', 'install', 'spark', '--options', opts, '--yes', '--timeout', '300s']);
    expect(install.exitCode, install.stderr).toBe(3);
    expect(install.stderr).toContain(`Spark ${VERSION} needs Java 17 or newer, but ${nowhere}/bin/java did not run`);
    const un = await dcos(['package', 'uninstall', 'spark', '--app-id', '/spark-nojava', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(volumeDirs().filter((d) => d.startsWith('spark-nojava#'))).toEqual([]);
  }, 600_000);

  it('runs a job on its workers and keeps their work directories through an update, a SIGKILL of the master and a daemon restart; uninstall leaves nothing', async () => {
    const appId = '/spark';
    const opts = {
      service: { cpus: 1.5, mem: 2048 },
      storage: { size_mb: 256 },
      spark: { workers: 2, worker_cores: 1, worker_memory_mb: 512, daemon_memory_mb: 256 },
    };
    const install = await dcos(['package', 'install', 'spark', '--options', options('install', opts), '--yes', '--timeout', '300s']);
    expect(install.exitCode, install.stderr).toBe(0);
    let task = await healthyTask(appId, 'installed');
    const [volume] = persistenceIds(task);
    expect(volume).toMatch(/^spark#data#[0-9a-f-]{36}$/);
    expect(volumeDirs()).toContain(volume);

    // The master reports both workers ALIVE, as the health check found.
    const master = await masterJson(task);
    expect(master.status).toBe('ALIVE');
    expect(master.workers.filter((w: Json) => w.state === 'ALIVE')).toHaveLength(2);
    const ran = { ...jvms(task) };
    expect(ran.master).toHaveLength(1);
    expect(ran.workers).toHaveLength(2);
    // The JVMs run from the fetched distribution's jars, not its scripts.
    expect(ran.master[0].cmdline).toMatch(new RegExp(`-Xmx256m -cp \\S*/conf:\\S*/${TOP}/jars/\\* org\\.apache\\.spark\\.deploy\\.master\\.Master`));

    const apps = [await submit(task, 'first', 200_000)];
    await expectAppKept(task, apps[0]);

    // The master's and the workers' logs.
    const log = await dcos(['task', 'log', task.id, '--stderr', '--lines', '100000']);
    expect(log.exitCode, log.stderr).toBe(0);
    expect(log.stdout).toContain('Master: I have been elected leader! New state: ALIVE');
    expect(log.stdout.match(/Worker: Successfully registered with master spark:\/\//g)?.length).toBeGreaterThanOrEqual(2);
    expect(log.stdout).toContain(`Master: Registered app first with ID ${apps[0]}`);

    const kept = async (t: Json) => {
      expect(persistenceIds(t)).toEqual([volume]);
      for (const a of apps) await expectAppKept(t, a);
    };

    // A changed option: a new task, with the new config, on the same volume.
    const update = await dcos(['package', 'update', 'spark', '--options', options('update', { ...opts, spark: { ...opts.spark, worker_timeout_s: 45 } }), '--yes', '--timeout', '300s']);
    expect(update.exitCode, update.stderr).toBe(0);
    const beforeUpdate = task.id;
    task = await healthyTask(appId, 'replaced by the update', (t) => t.id !== beforeUpdate);
    const conf = await dcos(['task', 'log', task.id, 'conf/spark-defaults.conf', '--lines', '50']);
    expect(conf.exitCode, conf.stderr).toBe(0);
    expect(conf.stdout).toMatch(/^spark\.worker\.timeout 45$/m);
    await kept(task);
    apps.push(await submit(task, 'after-update', 100_000));

    // The master's JVM killed: the task fails and is relaunched on the same volume.
    const [killed] = jvms(task).master;
    process.kill(killed.pid, 'SIGKILL');
    const beforeKill = task.id;
    task = await healthyTask(appId, `relaunched after SIGKILL of the master (pid ${killed.pid})`, (t) => t.id !== beforeKill);
    expect(isAlive(killed.pid)).toBe(false);
    await kept(task);
    apps.push(await submit(task, 'after-kill', 100_000));

    // The daemon killed and started again: it re-adopts the running task.
    const running = jvms(task);
    const daemon = await c.killDaemon();
    const again = await up();
    expect(again.pid).not.toBe(daemon);
    const adopted = await healthyTask(appId, 're-adopted after the daemon restart');
    expect(adopted.id).toBe(task.id);
    expect(jvms(adopted).master.map((p) => p.pid)).toEqual(running.master.map((p) => p.pid));
    await kept(adopted);
    apps.push(await submit(adopted, 'after-restart', 100_000));

    // Uninstall: no JVM left, no volume.
    const all = [...jvms(adopted).master, ...jvms(adopted).workers].map((p) => p.pid);
    expect(all).toHaveLength(3);
    const un = await dcos(['package', 'uninstall', 'spark', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    await waitFor(() => all.every((pid) => !isAlive(pid)), { what: 'the master and workers gone', timeoutMs: 30_000 });
    expect(processesOfAgent(c.agentId).filter((p) => p.taskId?.startsWith('spark.'))).toEqual([]);
    expect(volumeDirs().filter((d) => d.startsWith('spark#'))).toEqual([]);
  }, 1_500_000);
});

describe('spark: an install of a version without the volume is not updated to 3.5.5 in place', () => {
  const c = cliCluster();
  const { dcos } = c;
  beforeAll(async () => {
    requireBuild();
    await c.up();
  });
  afterAll(() => c.down(), 60_000);

  it('Marathon refuses the added persistent volume, and the old app stays as it was', async () => {
    // 3.5.3 runs an image; whether it can start here does not matter: the app exists.
    await dcos(['package', 'install', 'spark', '--package-version', '3.5.3', '--yes', '--timeout', '1s']);
    const update = await dcos(['package', 'update', 'spark', '--package-version', '3.5.5', '--yes', '--timeout', '30s']);
    expect(update.exitCode).not.toBe(0);
    expect(update.stderr).toContain('Persistent volumes can not be changed!');
    const listed = await dcos(['package', 'list', '--json']);
    expect(JSON.parse(listed.stdout).find((p: Json) => p.appId === '/spark')).toMatchObject({ version: '3.5.3' });
    const un = await dcos(['package', 'uninstall', 'spark', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
  }, 120_000);
});
