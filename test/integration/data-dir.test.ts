/**
 * The data dir and the cluster it belongs to: a database that is not this cluster's is refused
 * (saying what was found and how to recover), a copied data dir is a cluster of its own that
 * leaves the original's tasks alone, a task that never started is not a failure, and every file
 * of the daemon is private to its owner.
 */
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, sleep, startDaemon, stopAllDaemons, waitFor } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, sleeper, waitRunning, type Json } from './support.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dcos-it-datadir-'));
  dirs.push(dir);
  return dir;
}
afterEach(stopAllDaemons);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The error of a start that must fail. */
async function refusal(start: Promise<unknown>): Promise<string> {
  const outcome = await start.then(
    () => undefined,
    (err: Error) => err.message,
  );
  expect(outcome, 'the daemon started, but should have refused').toBeDefined();
  return outcome as string;
}

describe('a database that is not this cluster\'s', () => {
  it('0-byte state.db while the tasks run: refuses, names them, and restoring the database re-adopts them', { timeout: 60_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, sleeper('/kept', { instances: 2 }));
    const tasks = await waitRunning(d, '/kept', 2);
    const pids = d.taskProcesses().map((p) => p.pid);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await d.sigterm();
    const db = join(d.dataDir, 'state.db');
    expect(existsSync(`${db}-wal`), 'a clean stop leaves no WAL').toBe(false);
    const backup = join(tempDir(), 'state.db');
    copyFileSync(db, backup);
    truncateSync(db, 0);

    const message = await refusal(d.restart());
    expect(message).toContain('(code 5)');
    expect(message).toContain(`refusing to start: ${db} is empty (0 bytes), but this data dir is cluster ${d.agentId}'s`);
    for (const pid of pids) expect(message).toContain(String(pid));
    expect(message).toMatch(/to recover: if you have a copy of that cluster's state\.db, put it back/);
    expect(message).toContain(`remove ${db} and ${join(d.dataDir, 'cluster-id')}`);
    // Without its cluster-id file (a data dir of an earlier version), the live tasks still tell.
    rmSync(join(d.dataDir, 'cluster-id'));
    const again = await refusal(d.restart());
    expect(again).toContain(`refusing to start: ${db} is empty (0 bytes), but this data dir held a cluster and ${pids.length} process(es) of its tasks still run`);
    // Nothing was touched: the database is still empty and every task process still runs.
    expect(statSync(db).size).toBe(0);
    for (const pid of pids) expect(isAlive(pid), `task process ${pid}`).toBe(true);

    copyFileSync(backup, db);
    await d.restart();
    const adopted = await waitRunning(d, '/kept', 2);
    expect(adopted.map((t: Json) => t.id).sort()).toEqual(tasks.map((t: Json) => t.id).sort());
    expect(d.taskProcesses().map((p) => p.pid).sort()).toEqual([...pids].sort());
  });

  it('0-byte state.db of a stopped cluster: refuses; removing it and cluster-id, as told, starts a new cluster', { timeout: 60_000 }, async () => {
    const dataDir = join(tempDir(), 'data');
    const first = await startDaemon({ dataDir });
    await createApp(first, sleeper('/gone', { instances: 1 }));
    await waitRunning(first, '/gone', 1);
    const oldAgent = first.agentId;
    await first.stop();
    truncateSync(join(dataDir, 'state.db'), 0);

    const message = await refusal(startDaemon({ dataDir }));
    expect(message).toContain(`is empty (0 bytes), but this data dir is cluster ${oldAgent}'s`);
    expect(message).not.toContain('process(es)');

    rmSync(join(dataDir, 'state.db'));
    rmSync(join(dataDir, 'cluster-id'));
    const fresh = await startDaemon({ dataDir });
    expect(fresh.agentId).not.toBe(oldAgent);
    expect((await fresh.api('GET', '/v2/apps')).json.apps).toEqual([]);
  });

  it('a state.db that is not SQLite is refused and left as it is', async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'state.db'), 'not a database at all\n');
    const message = await refusal(startDaemon({ dataDir }));
    expect(message).toContain(`refusing to start: ${join(dataDir, 'state.db')} is not an SQLite database`);
    expect(readFileSync(join(dataDir, 'state.db'), 'utf8')).toBe('not a database at all\n');
  });

  it('another cluster\'s state.db is refused; its own, put back, starts again', async () => {
    const a = await startDaemon();
    const b = await startDaemon();
    await a.sigterm();
    await b.sigterm();
    const own = join(tempDir(), 'state.db');
    copyFileSync(join(a.dataDir, 'state.db'), own);
    copyFileSync(join(b.dataDir, 'state.db'), join(a.dataDir, 'state.db'));
    const message = await refusal(a.restart());
    expect(message).toContain(`belongs to cluster ${b.agentId}, but this data dir is cluster ${a.agentId}'s`);
    copyFileSync(own, join(a.dataDir, 'state.db'));
    await a.restart();
  });

  it('a 0-byte state.db in a data dir that never held a cluster starts one, saying so', async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'state.db'), '');
    const d = await startDaemon({ dataDir });
    expect(d.log()).toContain('was empty (0 bytes) and nothing else of a cluster is in');
    expect((await d.api('GET', '/v2/apps')).status).toBe(200);
  });
});

describe('a copied data dir', () => {
  it('is a cluster of its own: it neither adopts nor kills the original\'s tasks, and has its own token', { timeout: 90_000 }, async () => {
    const a = await startDaemon();
    await createApp(a, sleeper('/shared', { instances: 1 }));
    const [older] = await waitRunning(a, '/shared', 1);
    await a.sigterm();
    const copyDir = join(tempDir(), 'copy');
    cpSync(a.dataDir, copyDir, { recursive: true });
    await a.restart();
    // The original goes on: a newer task the copy has never heard of.
    expect((await a.api('PUT', '/v2/apps/shared', { instances: 2 })).status).toBe(200);
    const originals = await waitRunning(a, '/shared', 2);
    const newer = originals.find((t: Json) => t.id !== older.id);
    const originalPids = a.taskProcesses().map((p) => p.pid);
    // As if copied while running: the copy also holds the original daemon's live lock and daemon.json.
    for (const name of ['daemon.lock', 'daemon.json']) copyFileSync(join(a.dataDir, name), join(copyDir, name));

    const b = await startDaemon({ dataDir: copyDir });
    expect(b.agentId).not.toBe(a.agentId);
    expect(b.token).not.toBe(a.token);
    expect(b.log()).toContain(`this data dir is a copy of ${a.dataDir}`);
    const copies = await waitRunning(b, '/shared', 1);
    expect(copies.map((t: Json) => t.id)).not.toContain(older.id);
    expect(copies.map((t: Json) => t.id)).not.toContain(newer.id);
    const lost = await waitFor(async () => {
      const state = await b.api('GET', '/mesos/master/state.json');
      return state.json.frameworks[0].completed_tasks.find((t: Json) => t.id === older.id);
    }, { what: "the original's task ended in the copy" });
    expect(lost.state).toBe('TASK_LOST');
    expect((await getApp(b, '/shared')).lastTaskFailure).toBeUndefined();
    // Longer than a stray sweep's SIGTERM-then-SIGKILL: the original's processes are untouched.
    await sleep(3500);
    for (const pid of originalPids) expect(isAlive(pid), `original task process ${pid}`).toBe(true);
    expect((await appTasks(a, '/shared')).map((t: Json) => t.id).sort()).toEqual(originals.map((t: Json) => t.id).sort());
    expect(b.taskProcesses().every((p) => !originalPids.includes(p.pid))).toBe(true);
    // The copy's own start recorded its place: restarted, it is still the same (copied) cluster.
    await b.sigterm();
    await b.restart();
    expect(b.agentId).not.toBe(a.agentId);
  });

  it('a moved data dir is still the same cluster', { timeout: 60_000 }, async () => {
    const root = tempDir();
    const first = await startDaemon({ dataDir: join(root, 'here') });
    await createApp(first, sleeper('/moved', { instances: 1 }));
    await waitRunning(first, '/moved', 1);
    const agent = first.agentId;
    await first.stop();
    cpSync(join(root, 'here'), join(root, 'there'), { recursive: true });
    rmSync(join(root, 'here'), { recursive: true });
    const second = await startDaemon({ dataDir: join(root, 'there') });
    expect(second.agentId).toBe(agent);
    expect(second.log()).toContain(`the data dir moved from ${join(root, 'here')}`);
    expect((await getApp(second, '/moved')).instances).toBe(1);
  });
});

describe('a crash between recording a task and spawning it', () => {
  let server: Server;
  let hang = true;
  const held: Array<() => void> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = () => res.end('payload\n');
      if (hang) held.push(answer);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    for (const answer of held) answer();
    server.close();
  });

  it('is no failure: the tasks that never started are relaunched at once, without backoff', { timeout: 60_000 }, async () => {
    const port = (server.address() as import('node:net').AddressInfo).port;
    const d = await startDaemon();
    // A fetch that never answers holds every task between being recorded and being spawned.
    await createApp(d, sleeper('/unborn', { instances: 3, fetch: [{ uri: `http://127.0.0.1:${port}/payload.txt` }], backoffSeconds: 60 }));
    const staged = await waitFor(async () => {
      const tasks = await appTasks(d, '/unborn');
      return tasks.length === 3 && held.length === 3 && tasks.every((t: Json) => t.state === 'TASK_STAGING') ? tasks : undefined;
    }, { what: 'three tasks recorded and fetching' });
    await d.sigkill();
    hang = false;
    await d.restart();

    const running = await waitRunning(d, '/unborn', 3, { timeoutMs: 15_000 });
    expect(running.map((t: Json) => t.id)).not.toEqual(expect.arrayContaining([staged[0].id]));
    const app = await getApp(d, '/unborn');
    expect(app.lastTaskFailure).toBeUndefined();
    const state = await d.api('GET', '/mesos/master/state.json');
    const ended = state.json.frameworks[0].completed_tasks.filter((t: Json) => staged.some((s: Json) => s.id === t.id));
    expect(ended.map((t: Json) => t.state)).toEqual(['TASK_DROPPED', 'TASK_DROPPED', 'TASK_DROPPED']);
    expect((await d.api('GET', '/v2/queue')).json.queue).toEqual([]);
  });
});

describe('permissions', () => {
  it('the data dir is 0700 and its files 0600, whatever modes they had before', { timeout: 60_000 }, async () => {
    const dataDir = join(tempDir(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const d = await startDaemon({ dataDir });
    await d.sigterm();
    // An earlier version's (or the user's) modes, and a log file beside them.
    writeFileSync(join(dataDir, 'daemon.log'), 'old log\n');
    for (const name of ['state.db', 'token', 'cluster-id', 'daemon.log']) chmodSync(join(dataDir, name), 0o644);
    chmodSync(dataDir, 0o755);
    await d.restart();
    const mode = (name: string) => (statSync(join(dataDir, name)).mode & 0o777).toString(8);
    expect(mode('.')).toBe('700');
    for (const name of ['state.db', 'state.db-wal', 'state.db-shm', 'daemon.log', 'token', 'daemon.lock', 'daemon.json', 'cluster-id']) {
      expect(existsSync(join(dataDir, name)), name).toBe(true);
      expect(mode(name), name).toBe('600');
    }
  });
});
