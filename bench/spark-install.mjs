// `dcos package install spark --yes` (the distribution already in the agent's fetch cache) must
// return within 1.3 x the time the same master and workers, started by hand, take until the
// master reports every worker ALIVE; both measured in this run, rounds interleaved.
// By hand: the app's own rendered command (same JVM, flags, config and distribution, unpacked
// once beforehand) run with sh in a directory of its own, from its start until the master's
// /json/ says ALIVE with all workers ALIVE (polled every 50 ms). The install: from the command's
// start to its return (it returns once the task is healthy, i.e. all workers ALIVE).
// The distribution is the one the integration test assembles from Maven Central (cached under
// ~/.cache/dcos-tests; built here with Maven the same way when missing). Needs Java 17+ and mvn.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCluster, ratio, report, ROOT, sleep } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const BUDGET = 1.3;
const TOP = 'spark-3.5.5-bin-hadoop3';
// The same spec as test/integration/spark-real.test.ts, so the same cache entry.
const SPEC = { file: `${TOP}.tgz`, top: TOP, jarsDir: 'jars', artifacts: ['org.apache.spark:spark-core_2.12:3.5.5', 'org.slf4j:slf4j-api:2.0.7'] };
const WORKERS = 2;
const OPTIONS = { service: { cpus: 1.5, mem: 2048 }, storage: { size_mb: 128 }, spark: { workers: WORKERS, worker_cores: 1, worker_memory_mb: 512, daemon_memory_mb: 256 } };

const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
if (java.status !== 0 || Number(/version "(\d+)/.exec(java.stderr)?.[1] ?? 0) < 17 || spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) {
  console.log('skipped: needs Java 17 or newer and Maven');
  process.exit(0);
}

/** The assembled distribution (see test/helpers/maven-dist.ts), from its cache or built now. */
function distribution() {
  const key = createHash('sha256').update(JSON.stringify(SPEC)).digest('hex').slice(0, 16);
  const dir = join(process.env.DCOS_TEST_CACHE ?? join(homedir(), '.cache', 'dcos-tests', 'dists'), key);
  const tarball = join(dir, SPEC.file);
  if (existsSync(tarball) && existsSync(`${tarball}.sha512`)) return { path: tarball, sha512: readFileSync(`${tarball}.sha512`, 'utf8').trim() };
  const work = mkdtempSync(join(tmpdir(), 'dcos-bench-dist-'));
  const deps = SPEC.artifacts.map((gav) => {
    const [g, a, v] = gav.split(':');
    return `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version><exclusions></exclusions></dependency>`;
  });
  writeFileSync(
    join(work, 'pom.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>dcos.bench</groupId><artifactId>dist</artifactId><version>0</version><packaging>pom</packaging><dependencies>${deps.join('')}</dependencies></project>\n`,
  );
  execFileSync('mvn', ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(work, TOP, 'jars')}`], { cwd: work, stdio: 'inherit' });
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=2020-01-01 00:00Z', '-czf', join(work, SPEC.file), '-C', work, TOP]);
  const sha512 = createHash('sha512').update(readFileSync(join(work, SPEC.file))).digest('hex');
  mkdirSync(dir, { recursive: true });
  cpSync(join(work, SPEC.file), tarball);
  writeFileSync(`${tarball}.sha512`, `${sha512}\n`);
  rmSync(work, { recursive: true, force: true });
  return { path: tarball, sha512 };
}

const dist = distribution();
const scratch = mkdtempSync(join(tmpdir(), 'dcos-bench-spark-'));
// A repository with the bundled revision, its asset pointed at the assembled distribution.
const repoPkg = join(scratch, 'repo', 'packages', 'S', 'spark', '0');
cpSync(join(ROOT, 'packages-repo', 'packages', 'S', 'spark', '2'), repoPkg, { recursive: true });
const resource = JSON.parse(readFileSync(join(repoPkg, 'resource.json'), 'utf8'));
resource.assets.uris['spark-tgz'] = `file://${dist.path}#sha512=${dist.sha512}`;
writeFileSync(join(repoPkg, 'resource.json'), JSON.stringify(resource));
execFileSync('tar', ['-xzf', dist.path, '-C', scratch]);
writeFileSync(join(scratch, 'options.json'), JSON.stringify(OPTIONS));

const cluster = await benchCluster('spark', { DCOS_NODE_DISK: '20000' });
mkdirSync(cluster.env.DCOS_DIR, { recursive: true });
writeFileSync(join(cluster.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'bench', uri: join(scratch, 'repo') }] }));
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
}
