// `dcos package install kafka --yes` (process runtime, distribution already in the fetch cache)
// returns within 1.3 x the time the same broker, started by hand with the same JVM, config and
// distribution, takes to answer its first metadata request:
// (a) the install command, until it returns (the deployment done: the task healthy);
// (b) by hand: format the storage and start `java -cp <dist>/libs/* kafka.Kafka` with the
//     server.properties the package rendered (its ports and paths moved), polled with a metadata
//     request (kafkajs listTopics) every 100 ms until it answers.
// The distribution is the one the kafka-real test assembles from Maven Central (run that test
// once first): no download site is reachable here, and this bench does not resolve Maven itself.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ROOT, benchCluster, benchRepository, cachedDist, must, ratio, report, sleep, useRepository } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUDGET = 1.3;
const TOP = 'kafka_2.13-4.0.0';
// The package's default cluster id, which the install formats its volume with.
const clusterId = JSON.parse(readFileSync(join(ROOT, 'packages-repo', 'packages', 'K', 'kafka', '3', 'config.json'), 'utf8')).properties.kafka.properties.cluster_id.default;
const OPTIONS = { service: { mem: 1024 }, storage: { size_mb: 1024 }, kafka: { heap_mb: 512 } };

const dist = cachedDist(`${TOP}.tgz`, 'kafka-real.test.ts');
const repo = benchRepository([{ pkg: 'kafka', revision: 3, asset: 'kafka-dist', dist }]);

const cluster = await benchCluster('kafka', { DCOS_NODE_DISK: '20000' });
const { dcos, env } = cluster;
useRepository(cluster, repo);
const optionsFile = join(repo, 'options.json');
writeFileSync(optionsFile, JSON.stringify(OPTIONS));

/** GET of the cluster's API on a connection of its own (no keep-alive across the long installs). */
const apiGet = (path) =>
  new Promise((resolve, reject) => {
    get(`${cluster.url}${path}`, { agent: false, headers: { authorization: `token=${cluster.token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`GET ${path} answered ${res.statusCode}: ${body}`))));
    }).on('error', reject);
  });

async function metadataAnswers(port) {
  const admin = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** One install, timed until the command returns; leaves the rendered config of its task. */
async function installOnce() {
  const start = performance.now();
  must(dcos('package', 'install', 'kafka', '--options', optionsFile, '--yes', '--timeout', '300s'), 'install');
  const ms = performance.now() - start;
  const [task] = (await apiGet('/v2/apps/kafka/tasks')).tasks;
  if (task?.healthCheckResults?.[0]?.alive !== true) throw new Error('install returned before the task was healthy');
  if (!(await metadataAnswers(task.ports[0]))) throw new Error('the installed broker does not answer a metadata request');
  const log = must(dcos('task', 'log', task.id, 'server.properties', '--lines', '200'), 'task log server.properties').stdout;
  must(dcos('package', 'uninstall', 'kafka', '--yes'), 'uninstall');
  return { ms, properties: log, ports: task.ports };
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** The same broker by hand: extract once, then per round format and start, until metadata answers. */
const handDir = mkdtempSync(join(tmpdir(), 'dcos-bench-kafka-hand-'));
must(spawnSync('tar', ['-xzf', dist.path, '-C', handDir]), 'tar');
const java = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim();
async function byHandOnce(properties, taskPorts) {
  const work = mkdtempSync(join(handDir, 'round-'));
  mkdirSync(join(work, 'data', 'kafka'), { recursive: true });
  const [broker, controller] = [await freePort(), await freePort()];
  const props = properties
    .split('\n')
    .map((l) => (l.startsWith('log.dirs=') ? `log.dirs=${join(work, 'data', 'kafka')}` : l))
    .join('\n')
    .replaceAll(`:${taskPorts[0]}`, `:${broker}`)
    .replaceAll(`:${taskPorts[1]}`, `:${controller}`);
  writeFileSync(join(work, 'server.properties'), props);
  const log4j = ['status=warn', 'appender.out.type=Console', 'appender.out.name=out', 'appender.out.layout.type=PatternLayout', 'appender.out.layout.pattern=[%d] %p %m (%c)%n', 'rootLogger.level=INFO', 'rootLogger.appenderRef.out.ref=out'];
  writeFileSync(join(work, 'log4j2.properties'), `${log4j.join('\n')}\n`);
  const cp = `${join(handDir, TOP, 'libs')}/*`;
  const start = performance.now();
  must(spawnSync(java, ['-Xmx256m', `-Dlog4j2.configurationFile=${join(work, 'log4j2.properties')}`, '-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', join(work, 'server.properties')], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] }), 'format');
  const jvm = ['-Xms512m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${join(work, 'log4j2.properties')}`, '-cp', cp, 'kafka.Kafka', 'server.properties'];
  const child = spawn(java, jvm, { cwd: work, stdio: 'ignore' });
  try {
    const deadline = Date.now() + 300_000;
    while (!(await metadataAnswers(broker))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the broker started by hand did not answer (exit ${child.exitCode})`);
      await sleep(100);
    }
    return performance.now() - start;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
}

try {
  // Warm-up: the first install fetches the distribution into the cache (it is then only copied).
  const warm = await installOnce();
  const installs = [];
  const hands = [];
  for (let i = 0; i < ROUNDS; i++) {
    installs.push((await installOnce()).ms);
    hands.push(await byHandOnce(warm.properties, warm.ports));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const a = median(installs);
  const b = median(hands);
  console.log(`dcos package install kafka --yes: median ${a.toFixed(0)} ms (${installs.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`the same broker by hand until its first metadata answer: median ${b.toFixed(0)} ms (${hands.map((x) => x.toFixed(0)).join(', ')})`);
  const ok = report('kafka install vs the broker by hand', Number(ratio(a, b)), BUDGET);
  process.exitCode = ok ? 0 : 1;
} finally {
  cluster.stop();
  rmSync(repo, { recursive: true, force: true });
  rmSync(handDir, { recursive: true, force: true });
}
