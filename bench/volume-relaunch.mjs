// A task killed on its persistent volume is relaunched on that volume within 1.5 x the time a
// fresh task of the same app (which makes a new volume) takes to start, both measured in this run:
// (a) `POST /v2/apps` of an app with one persistent volume -> TASK_RUNNING of its first task;
// (b) SIGKILL of that task's process -> TASK_RUNNING of its relaunch on the same volume.
// TASK_RUNNING is the moment its status_update_event reaches this client on /v2/events, the same
// clock for both. The app has backoffSeconds 0, so (b) holds no launch delay: it is the cluster's
// own cost of noticing the death, failing the task and launching the next one on the volume.
import { readdirSync, readFileSync } from 'node:fs';
import { benchCluster, ratio, report, sleep } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const WARMUP = 1;
const BUDGET = 1.5;
const TIMEOUT_MS = 60_000;

const cluster = await benchCluster('volumes', { DCOS_NODE_DISK: '100000' });
const { dcos } = cluster;
const { url } = JSON.parse(dcos('cluster', 'status', '--json').stdout);
const token = dcos('config', 'show', 'core.dcos_acs_token').stdout.trim();
const headers = { authorization: `token=${token}`, 'content-type': 'application/json' };
const api = async (method, path, body) => {
  const res = await fetch(`${url}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
};

/** status_update_events as they arrive, each stamped with the client's clock on arrival. */
const waiters = new Set();
const events = new AbortController();
let markAttached;
const attached = new Promise((resolve) => (markAttached = resolve));
async function followEvents() {
  const res = await fetch(`${url}/v2/events?event_type=status_update_event`, { headers: { ...headers, accept: 'text/event-stream' }, signal: events.signal });
  if (res.status !== 200) throw new Error(`/v2/events answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body) {
    const at = performance.now();
    buffered += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      const event = JSON.parse(data.slice(6));
      if (event.eventType === 'event_stream_attached') markAttached();
      for (const w of [...waiters]) {
        if (w.match(event)) {
          waiters.delete(w);
          w.resolve({ event, at });
        }
      }
    }
  }
}

/** The next status update `match` takes; registered before the action that causes it. */
function nextEvent(what, match) {
  let w;
  const promise = new Promise((resolve, reject) => {
    w = { match, resolve };
    waiters.add(w);
    setTimeout(() => {
      if (waiters.delete(w)) reject(new Error(`no ${what} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS).unref();
  });
  return promise;
}

/** The pid of the process whose environment holds MESOS_TASK_ID=<taskId> (the task's `exec`ed command). */
function taskPid(taskId) {
  const needle = `\0MESOS_TASK_ID=${taskId}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (`\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(needle)) return Number(entry);
    } catch {
      // gone, or not ours
    }
  }
  throw new Error(`no process of task ${taskId}`);
}

async function settled() {
  for (let i = 0; i < 600; i++) {
    if ((await api('GET', '/v2/deployments')).length === 0) return;
    await sleep(50);
  }
  throw new Error('deployments still running after 30 s');
}

const app = (id) => ({
  id,
  cmd: 'exec python3 -m http.server "$PORT0" --bind 127.0.0.1 --directory data',
  cpus: 0.01,
  mem: 32,
  instances: 1,
  portDefinitions: [{ port: 0, protocol: 'tcp' }],
  container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 16 } }] },
  healthChecks: [{ protocol: 'HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 30, intervalSeconds: 10, timeoutSeconds: 5 }],
  backoffSeconds: 0,
});

const fresh = [];
const relaunch = [];
const stream = followEvents().catch((err) => {
  if (err.name !== 'AbortError') throw err;
});
try {
  // The daemon subscribes the stream before it sends event_stream_attached.
  await Promise.race([attached, stream.then(() => Promise.reject(new Error('the event stream ended before it was attached')))]);
  const seenVolumes = new Set();
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const id = `/bench-volume-${round}`;
    const started = nextEvent(`TASK_RUNNING of ${id}`, (e) => e.appId === id && e.taskStatus === 'TASK_RUNNING');
    const t0 = performance.now();
    await api('POST', '/v2/apps', app(id));
    const first = await started;
    const a = first.at - t0;

    const [firstTask] = (await api('GET', `/v2/apps${id}/tasks`)).tasks;
    const volume = firstTask.localVolumes[0].persistenceId;
    if (seenVolumes.has(volume)) throw new Error(`${id}: the first task reused volume ${volume}`);
    seenVolumes.add(volume);
    await settled();

    const pid = taskPid(first.event.taskId);
    const again = nextEvent(`relaunch of ${id}`, (e) => e.appId === id && e.taskStatus === 'TASK_RUNNING' && e.taskId !== first.event.taskId);
    const t1 = performance.now();
    process.kill(pid, 'SIGKILL');
    const second = await again;
    const b = second.at - t1;

    const tasks = (await api('GET', `/v2/apps${id}/tasks`)).tasks;
    const relaunched = tasks.find((t) => t.id === second.event.taskId);
    if (relaunched?.localVolumes?.[0]?.persistenceId !== volume) throw new Error(`${id}: the relaunch is not on volume ${volume}: ${JSON.stringify(tasks)}`);

    if (round >= WARMUP) {
      fresh.push(a);
      relaunch.push(b);
    }
    await api('DELETE', `/v2/apps${id}`);
    await settled();
  }
} finally {
  events.abort();
  await stream;
  cluster.stop();
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
const a = median(fresh);
const b = median(relaunch);
console.log(`(a) POST /v2/apps -> TASK_RUNNING, new volume: ${fmt(fresh)} ms (median ${a.toFixed(1)} ms)`);
console.log(`(b) SIGKILL -> TASK_RUNNING of the relaunch, same volume, backoffSeconds 0: ${fmt(relaunch)} ms (median ${b.toFixed(1)} ms)`);
process.exitCode = report('relaunch on the volume / fresh task', Number(ratio(b, a)), BUDGET) ? 0 : 1;
