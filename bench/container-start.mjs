// A container task from a local image must reach TASK_RUNNING within 1.3 x the time `podman run -d`
// of the same image and command takes by hand, measured in the same run, rounds interleaved.
// The cluster's time runs from submitting the app (POST /v2/apps) to its task's TASK_RUNNING event
// (which the daemon sends once the container runs); podman's from its start to its return (it
// returns once the container runs). Needs Podman and Debian's busybox-static (for the image).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCluster, ratio, report, sleep } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 7);
const BUDGET = 1.3;
const COMMAND = 'exec sleep 600';
// The app's resources, which the agent runs as --cpus/--memory: the run by hand gets the same
// (a tiny cpus quota slows the container's own start, whoever starts it).
const CPUS = 1;
const MEM = 64;

if (spawnSync('podman', ['version'], { stdio: 'ignore' }).status !== 0) {
  console.log('skipped: podman does not answer here');
  process.exit(0);
}

/** A busybox image of our own (no registry is reachable), built once per recipe. */
function benchImage() {
  const size = String(execFileSync('stat', ['-c', '%s', '/bin/busybox'])).trim();
  const tag = `localhost/dcos-bench/busybox:${createHash('sha256').update(`bench-v1:${size}`).digest('hex').slice(0, 12)}`;
  if (spawnSync('podman', ['image', 'exists', tag]).status === 0) return tag;
  const dir = mkdtempSync(join(tmpdir(), 'dcos-bench-image-'));
  try {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'tmp'));
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    for (const applet of ['sh', 'sleep']) symlinkSync('busybox', join(root, 'bin', applet));
    execFileSync('tar', ['-C', root, '-cf', join(dir, 'root.tar'), '.']);
    execFileSync('podman', ['import', join(dir, 'root.tar'), tag], { stdio: 'ignore' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}

const image = benchImage();
const cluster = await benchCluster('containers');

/** The cluster's event stream: resolves `running(appId)` on its task's TASK_RUNNING. */
async function openEvents() {
  const { url, token } = cluster;
  const res = await fetch(`${url}/v2/events`, { headers: { authorization: `token=${token}`, accept: 'text/event-stream' } });
  const waiting = new Map();
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body.getReader();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
        if (!data) continue;
        const event = JSON.parse(data);
        if (event.eventType === 'status_update_event' && event.taskStatus === 'TASK_RUNNING') {
          waiting.get(event.appId)?.(performance.now());
        }
      }
    }
  })();
  return {
    running: (appId) => new Promise((resolve) => waiting.set(appId, resolve)),
    close: () => reader.cancel(),
  };
}

try {
  const events = await openEvents();
  const byHand = [];
  const viaCluster = [];
  for (let i = 0; i < ROUNDS; i++) {
    // By hand: the same image, entrypoint, command and limits the agent runs.
    const name = `dcos-bench-by-hand-${process.pid}-${i}`;
    let start = performance.now();
    const run = spawnSync('podman', ['run', '-d', '--rm', '--name', name, `--cpus=${CPUS}`, `--memory=${MEM}m`, '--entrypoint', '/bin/sh', image, '-c', COMMAND], { encoding: 'utf8' });
    byHand.push(performance.now() - start);
    if (run.status !== 0) throw new Error(`podman run: ${run.stderr}`);
    spawnSync('podman', ['rm', '-f', '-t', '0', name], { stdio: 'ignore' });

    const appId = `/bench/c${i}`;
    const running = events.running(appId);
    start = performance.now();
    const created = await cluster.api('POST', '/v2/apps', { id: appId, cmd: COMMAND, cpus: CPUS, mem: MEM, container: { type: 'DOCKER', docker: { image } } });
    if (!created.id) throw new Error(`POST /v2/apps: ${JSON.stringify(created)}`);
    viaCluster.push((await running) - start);
    await cluster.api('DELETE', `/v2/apps${appId}`);
    // Its task (and container) gone before the next round.
    for (let tries = 0; tries < 300; tries++) {
      const tasks = await cluster.api('GET', '/v2/tasks');
      if (!tasks.tasks.some((t) => t.appId === appId)) break;
      await sleep(50);
    }
  }
  events.close();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const hand = median(byHand);
  const ours = median(viaCluster);
  console.log(`podman run -d by hand: ${byHand.map((t) => t.toFixed(0)).join(', ')} ms (median ${hand.toFixed(0)} ms)`);
  console.log(`submit to TASK_RUNNING: ${viaCluster.map((t) => t.toFixed(0)).join(', ')} ms (median ${ours.toFixed(0)} ms)`);
  console.log(`ratio: ${ratio(ours, hand)} x podman run -d`);
  process.exitCode = report('container task start vs podman run -d', ours / hand, BUDGET) ? 0 : 1;
} finally {
  cluster.stop();
}
