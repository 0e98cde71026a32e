// `dcos package install cassandra --yes` (its distribution already in the node's fetch cache)
// returns within 1.3 x the time the same Cassandra, started by hand with the same JVM, the same
// command and config (the package's own rendered cmd) and the same distribution (already
// extracted), takes to answer its first CQL request (an OPTIONS frame answered by SUPPORTED).
// Both start on an empty data directory; both are measured in this run, ROUNDS times, medians.
//
// The distribution is the one test/integration/cassandra-real.test.ts assembles from Maven
// Central (no download site is reachable here): run that test once first.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCluster, benchRepository, cachedDist, ratio, report, ROOT, sleep, useRepository } from './lib.mjs';

const VERSION = '5.0.9';
const REVISION = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUDGET = 1.3;
const OPTIONS = { service: { mem: 1536 }, cassandra: { max_heap_mb: 512 } };

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True once the port answers a CQL OPTIONS (v4, stream 1) with SUPPORTED. */
function cqlAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(Buffer.from([4, 0, 0, 1, 5, 0, 0, 0, 0])));
    let got = Buffer.alloc(0);
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 5) done(got[0] === 0x84 && got[4] === 0x06);
    });
  });
}

/** The same command, started by hand in a fresh sandbox with the extracted distribution. */
async function byHand(cmd, dist) {
  const sandbox = mkdtempSync(join(tmpdir(), 'dcos-bench-cassandra-hand-'));
  try {
    const tar = spawnSync('tar', ['-xzf', dist.path, '-C', sandbox]);
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
    const [p0, p1, p2] = [await freePort(), await freePort(), await freePort()];
    const env = { PATH: process.env.PATH, HOME: sandbox, MESOS_SANDBOX: sandbox, HOST: '127.0.0.1', PORT0: String(p0), PORT1: String(p1), PORT2: String(p2) };
    const start = performance.now();
    const child = spawn('/bin/sh', ['-c', cmd], { env, cwd: sandbox, stdio: 'ignore', detached: true });
    let exited = false;
    child.on('exit', () => (exited = true));
    try {
      for (;;) {
        if (exited) throw new Error('Cassandra started by hand exited before it answered');
        if (await cqlAnswers(p0)) return performance.now() - start;
        if (performance.now() - start > 300_000) throw new Error('Cassandra started by hand did not answer within 300 s');
        await sleep(50);
      }
    } finally {
      process.kill(-child.pid, 'SIGKILL');
      await new Promise((resolve) => (exited ? resolve() : child.on('exit', resolve)));
    }
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

const dist = cachedDist(`apache-cassandra-${VERSION}-bin.tar.gz`, 'cassandra-real.test.ts');
const repo = benchRepository([{ pkg: 'cassandra', revision: REVISION, asset: 'cassandra', dist }]);
const cluster = await benchCluster('cassandra', { DCOS_NODE_DISK: '20000' });
const { env, dcos } = cluster;
try {
  useRepository(cluster, repo);
  const optionsFile = join(env.DCOS_DIR, 'bench-options.json');
  writeFileSync(optionsFile, JSON.stringify(OPTIONS));
  const rendered = dcos('package', 'describe', 'cassandra', '--render', '--options', optionsFile, '--json');
  if (rendered.status !== 0) throw new Error(rendered.stderr);
  const { cmd } = JSON.parse(rendered.stdout);

  const install = () => {
    const start = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'dcos.js'), 'package', 'install', 'cassandra', '--options', optionsFile, '--yes', '--timeout', '300s'], { env, encoding: 'utf8' });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`install exited ${r.status}: ${r.stderr}`);
    const un = dcos('package', 'uninstall', 'cassandra', '--yes');
    if (un.status !== 0) throw new Error(`uninstall exited ${un.status}: ${un.stderr}`);
    return ms;
  };

  // Warm-up: the first install puts the distribution in the node's fetch cache; one run by hand
  // warms the page cache for the jars as much.
  install();
  await byHand(cmd, dist);
  const installs = [];
  const hands = [];
  for (let i = 0; i < ROUNDS; i++) {
    hands.push(await byHand(cmd, dist));
    installs.push(install());
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const a = median(installs);
  const b = median(hands);
  console.log(`dcos package install cassandra --yes (cached): median ${(a / 1000).toFixed(2)} s of [${installs.map((x) => (x / 1000).toFixed(2)).join(', ')}]`);
  console.log(`the same JVM, command and distribution by hand, to its first CQL answer: median ${(b / 1000).toFixed(2)} s of [${hands.map((x) => (x / 1000).toFixed(2)).join(', ')}]`);
  const ok = report('cassandra install / by hand', Number(ratio(a, b)), BUDGET);
  process.exitCode = ok ? 0 : 1;
} finally {
  cluster.stop();
  rmSync(repo, { recursive: true, force: true });
}
