// `dcos package install spark --yes` (the distribution already in the agent's fetch cache) must
// return within 1.3 x the time the same master and workers, started by hand, take until the
// master reports every worker ALIVE; both measured in this run, rounds interleaved.
// By hand: the app's own rendered command (same JVM, flags, config and distribution, unpacked
// once beforehand) run with sh in a directory of its own, from its start until the master's
// /json/ says ALIVE with all workers ALIVE (polled every 50 ms). The install: from the command's
// start to its return (it returns once the task is healthy, i.e. all workers ALIVE).
// The distribution is the one the integration test assembles from Maven Central (cached under
// ~/.cache/dcos-tests: run test/integration/spark-real.test.ts once first). Needs Java 17+.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCluster, benchRepository, cachedDist, ratio, report, ROOT, sleep, useRepository } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const BUDGET = 1.3;
const TOP = 'spark-3.5.5-bin-hadoop3';
const WORKERS = 2;
const OPTIONS = { service: { cpus: 1.5, mem: 2048 }, storage: { size_mb: 128 }, spark: { workers: WORKERS, worker_cores: 1, worker_memory_mb: 512, daemon_memory_mb: 256 } };

const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
if (java.status !== 0 || Number(/version "(\d+)/.exec(java.stderr)?.[1] ?? 0) < 17) {
  console.log('skipped: needs Java 17 or newer');
  process.exit(0);
}

const dist = cachedDist(`${TOP}.tgz`, 'spark-real.test.ts');
const scratch = mkdtempSync(join(tmpdir(), 'dcos-bench-spark-'));
const repo = benchRepository([{ pkg: 'spark', revision: 2, asset: 'spark-tgz', dist }]);
execFileSync('tar', ['-xzf', dist.path, '-C', scratch]);
writeFileSync(join(scratch, 'options.json'), JSON.stringify(OPTIONS));

const cluster = await benchCluster('spark', { DCOS_NODE_DISK: '20000' });
useRepository(cluster, repo);
const { dcos, api } = cluster;

/** The master's /json/ when it is ALIVE with every worker ALIVE, else undefined. */
async function allAlive(webPort) {
  try {
    const j = await (await fetch(`http://127.0.0.1:${webPort}/json/`)).json();
    return j.status === 'ALIVE' && j.workers.filter((w) => w.state === 'ALIVE').length === WORKERS ? j : undefined;
  } catch {
    return undefined;
  }
}

function install() {
  const start = performance.now();
  const r = dcos('package', 'install', 'spark', '--options', join(scratch, 'options.json'), '--yes', '--timeout', '300s');
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`install exited ${r.status}: ${r.stderr}`);
  return ms;
}

async function uninstall() {
  const r = dcos('package', 'uninstall', 'spark', '--yes');
  if (r.status !== 0) throw new Error(`uninstall exited ${r.status}: ${r.stderr}`);
}

/** The installed app's command, as the agent runs it, and the task's ports. */
async function installedTask() {
  const { app } = await api('GET', '/v2/apps/spark');
  const [task] = (await api('GET', '/v2/apps/spark/tasks')).tasks;
  return { cmd: app.cmd, task };
}

async function byHand(cmd, round) {
  const sandbox = join(scratch, `hand-${round}`);
  mkdirSync(join(sandbox, 'data'), { recursive: true });
  symlinkSync(join(scratch, TOP), join(sandbox, TOP));
  const [p0, p1] = [25000 + round * 2, 25001 + round * 2];
  const start = performance.now();
  const child = spawn('sh', ['-c', cmd], { cwd: sandbox, env: { ...process.env, MESOS_SANDBOX: sandbox, HOST: '127.0.0.1', PORT0: String(p0), PORT1: String(p1) }, stdio: 'ignore', detached: true });
  let ms;
  for (let i = 0; i < 6000; i++) {
    if (await allAlive(p1)) {
      ms = performance.now() - start;
      break;
    }
    await sleep(50);
  }
  process.kill(-child.pid, 'SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  if (ms === undefined) throw new Error('by hand: the master never reported its workers ALIVE');
  return ms;
}

try {
  // Warm-up: fills the agent's fetch cache and gives the app's rendered command.
  install();
  const { cmd, task } = await installedTask();
  if (!(await allAlive(task.ports[1]))) throw new Error('install returned before every worker was ALIVE');
  await uninstall();
  const installs = [];
  const hands = [];
  for (let round = 0; round < ROUNDS; round++) {
    hands.push(await byHand(cmd, round));
    installs.push(install());
    const { task: t } = await installedTask();
    if (!(await allAlive(t.ports[1]))) throw new Error('install returned before every worker was ALIVE');
    await uninstall();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`install (cached distribution): median ${median(installs).toFixed(0)} ms of ${installs.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`by hand (same command, until ${WORKERS} workers ALIVE): median ${median(hands).toFixed(0)} ms of ${hands.map((x) => x.toFixed(0)).join(', ')}`);
  const ok = report('spark install vs by hand', Number(ratio(median(installs), median(hands))), BUDGET);
  process.exitCode = ok ? 0 : 1;
} finally {
  cluster.stop();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
}
