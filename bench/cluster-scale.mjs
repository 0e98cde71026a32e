// The embedded cluster under load:
// - scaling one app from 0 to 1,000 instances of a long-running trivial command until all are
//   TASK_RUNNING: at most 2 x the time a plain loop takes to spawn and confirm the same 1,000
//   processes (measured in this run);
// - the daemon's RSS with those 1,000 tasks: under 150 MB;
// - its CPU while they run idle and health-checked (TCP, every 10 s): under 10% of one core.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ratio, report } from './lib.mjs';

const N = Number(process.env.BENCH_TASKS ?? 1000);
const CMD = 'exec sleep 100000';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function groupGone(pid) {
  try {
    process.kill(-pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Baseline: spawn N detached `sh -c` processes and wait for each to be confirmed spawned. */
async function plainLoop() {
  const start = performance.now();
  const children = [];
  for (let i = 0; i < N; i++) {
    const child = spawn('/bin/sh', ['-c', CMD], { detached: true, stdio: 'ignore' });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    children.push(child);
  }
  const elapsed = performance.now() - start;
  for (const c of children) process.kill(-c.pid, 'SIGKILL');
  while (!children.every((c) => groupGone(c.pid))) await sleep(50);
  return elapsed;
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

async function main() {
  const baseline = await plainLoop();
  const dataDir = mkdtempSync(join(tmpdir(), 'dcos-bench-cluster-'));
  // A listener the tasks' TCP health checks connect to (`sleep` itself listens on nothing).
  const target = createServer((s) => s.destroy());
  await new Promise((r) => target.listen(0, '127.0.0.1', r));
  const healthPort = target.address().port;
  const daemon = spawn(process.execPath, [join(ROOT, 'dist', 'daemon', 'main.js'), '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, DCOS_NODE_CPUS: '64', DCOS_NODE_MEM: '65536' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let info;
  while (!info) {
    await sleep(50);
    try {
      info = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8'));
    } catch {}
  }
  const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
  const api = async (method, path, body) => {
    const res = await fetch(`${info.url}${path}`, {
      method,
      headers: { authorization: `token=${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return res.json();
  };
  try {
    await api('POST', '/v2/apps', {
      id: '/bench', cmd: CMD, instances: 0, cpus: 0.01, mem: 1, portDefinitions: [],
      healthChecks: [{ protocol: 'TCP', port: healthPort, intervalSeconds: 10, gracePeriodSeconds: 60, timeoutSeconds: 5 }],
    });
    const start = performance.now();
    await api('PUT', '/v2/apps/bench', { instances: N });
    let running = 0;
    while (running < N) {
      await sleep(25);
      running = (await api('GET', '/v2/apps/bench')).app.tasksRunning;
    }
    const scaled = performance.now() - start;
    await sleep(12_000); // every task health-checked at least once
    const rss = rssMb(info.pid);
    const t0 = cpuTicks(info.pid);
    const window = 20_000;
    await sleep(window);
    const cpuPercent = ((cpuTicks(info.pid) - t0) / 100 / (window / 1000)) * 100;
    const healthy = (await api('GET', '/v2/apps/bench')).app.tasksHealthy;

    console.log(`plain loop: ${N} processes spawned and confirmed in ${baseline.toFixed(0)} ms`);
    console.log(`daemon: 0 -> ${N} instances TASK_RUNNING in ${scaled.toFixed(0)} ms; ${healthy} healthy`);
    console.log(`daemon with ${N} tasks: RSS ${rss.toFixed(0)} MB, CPU ${cpuPercent.toFixed(1)}% of one core over ${window / 1000} s`);
    let ok = true;
    ok = report(`scale 0 -> ${N} / plain loop`, Number(ratio(scaled, baseline)), 2) && ok;
    ok = report(`daemon RSS with ${N} tasks`, rss, 150, ' MB') && ok;
    ok = report(`daemon CPU, ${N} idle health-checked tasks`, cpuPercent, 10, '%') && ok;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await fetch(`${info.url}/dcos-local/shutdown?stopTasks=true`, { method: 'POST', headers: { authorization: `token=${token}` } }).catch(() => {});
    const deadline = Date.now() + 60_000;
    while (daemon.exitCode === null && Date.now() < deadline) await sleep(100);
    target.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
