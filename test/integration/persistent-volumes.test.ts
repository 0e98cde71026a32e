/**
 * Marathon's local persistent volumes on the embedded cluster: each instance of a resident app
 * keeps its volume across relaunches, rolling upgrades, scaling and daemon crashes; only a wipe or
 * the app's removal destroys it. Real daemon, real processes, real files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, readSandboxFile, sandboxOf, waitNoDeployments, waitRunning, type Json } from './support.js';

afterEach(stopAllDaemons);

/**
 * A resident app whose every task appends its task id to `data/log` (the volume) and serves nothing:
 * the log tells which tasks ran on which volume.
 */
function resident(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    cmd: 'echo "$MESOS_TASK_ID" >> data/log && exec sleep 1000',
    cpus: 0.01,
    mem: 16,
    backoffSeconds: 0,
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 64 } }] },
    ...extra,
  };
}

const volumesDir = (d: TestDaemon) => join(d.dataDir, 'volumes');
const volumeNames = (d: TestDaemon): string[] => (existsSync(volumesDir(d)) ? readdirSync(volumesDir(d)).sort() : []);
/** The task ids written to a volume's log, in order. */
const readLog = (d: TestDaemon, persistenceId: string): string[] => {
  const file = join(volumesDir(d), persistenceId, 'log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
};
/**
 * The log once it has `lines` entries: a task is TASK_RUNNING once its process started, which
 * under load can be before its command's first line (the echo to the log) has run.
 */
const logOf = (d: TestDaemon, persistenceId: string, lines: number): Promise<string[]> =>
  waitFor(
    async () => {
      const log = readLog(d, persistenceId);
      return log.length >= lines ? log : undefined;
    },
    { what: `${lines} line(s) in the log of volume ${persistenceId}`, timeoutMs: 10_000 },
  );
const persistenceIdOf = (task: Json): string => {
  expect(task.localVolumes, `localVolumes of ${task.id}`).toHaveLength(1);
  expect(task.localVolumes[0].containerPath).toBe('data');
  return task.localVolumes[0].persistenceId;
};

/** Waits until the app runs `n` tasks none of which is in `old`, and returns them. */
async function waitReplaced(d: TestDaemon, id: string, n: number, old: Set<string>): Promise<Json[]> {
  return waitFor(
    async () => {
      const tasks = (await appTasks(d, id)).filter((t: Json) => t.state === 'TASK_RUNNING' && !old.has(t.id));
      return tasks.length === n ? tasks : undefined;
    },
    { what: `${n} new running task(s) of ${id}`, timeoutMs: 20_000 },
  );
}

async function reservedVolumes(d: TestDaemon): Promise<Json[]> {
  const res = await d.api('GET', `/slave/${d.agentId}/state.json`);
  expect(res.status).toBe(200);
  return Object.values((res.json.reserved_resources_full ?? {}) as Record<string, Json[]>).flat();
}

describe('persistent volumes', () => {
  it('gives each instance its own volume, Marathon defaults for resident apps, and localVolumes on tasks', { timeout: 60_000 }, async () => {
    const d = await startDaemon();
    const created = await createApp(d, resident('/pv/two', { instances: 2 }));
    expect(created.upgradeStrategy).toEqual({ minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
    const tasks = await waitRunning(d, '/pv/two', 2);
    const ids = tasks.map(persistenceIdOf);
    expect(new Set(ids).size).toBe(2);
    for (const pid of ids) expect(pid).toMatch(/^pv_two#data#[0-9a-f-]{36}$/);
    expect(volumeNames(d)).toEqual([...ids].sort());
    for (const t of tasks) expect(await logOf(d, persistenceIdOf(t), 1)).toEqual([t.id]);
    // The volume is outside the sandbox, linked into it at its containerPath.
    const sandbox = await sandboxOf(d, tasks[0].id);
    expect(sandbox.startsWith(join(d.dataDir, 'slaves'))).toBe(true);
    // The files API follows the task's own volume: `dcos task ls <task> data` lists it.
    const browse = await d.api('GET', `/slave/${d.agentId}/files/browse.json?path=${encodeURIComponent(join(sandbox, 'data'))}`);
    expect(browse.status, browse.text).toBe(200);
    expect(browse.json.map((e: Json) => e.path.split('/').pop())).toEqual(['log']);
    expect(await readSandboxFile(d, join(sandbox, 'data', 'log'))).toBe(`${tasks[0].id}\n`);
    // Nothing outside the task's volumes through them: a link the task plants there leads nowhere.
    symlinkSync('/etc', join(volumesDir(d), persistenceIdOf(tasks[0]), 'escape'));
    for (const path of [join(sandbox, 'data', 'escape'), join(sandbox, 'data', 'escape', 'passwd'), join(sandbox, 'data', '..', '..')]) {
      const q = `path=${encodeURIComponent(path)}`;
      // Refused as any path outside the sandboxes is: not found (404) or forbidden (403), never served.
      const listed = await d.api('GET', `/slave/${d.agentId}/files/browse.json?${q}`);
      expect([403, 404], `${path}: ${listed.status} ${listed.text}`).toContain(listed.status);
      const read = await d.api('GET', `/slave/${d.agentId}/files/read.json?${q}&offset=0`);
      expect([403, 404], `${path}: ${read.status} ${read.text}`).toContain(read.status);
      expect(read.text).not.toContain('root:');
    }
    // The agent reports them as Mesos does: reserved disk with a persistence id, and their use.
    const reserved = await reservedVolumes(d);
    expect(reserved.map((r: Json) => r.disk.persistence.id).sort()).toEqual([...ids].sort());
    for (const r of reserved) {
      expect(r.scalar.value).toBe(64);
      expect(r.disk.volume.container_path).toBe('data');
      expect(r.used_bytes).toBeGreaterThan(0);
    }
    // Counted against the node's disk (10000 MB in the tests) for as long as they exist.
    const state = await d.api('GET', '/master/state');
    expect(state.json.slaves[0].used_resources.disk).toBe(128);
  });

  it('relaunches a killed or crashed task on the same volume', { timeout: 60_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, resident('/pv/one'));
    const [first] = await waitRunning(d, '/pv/one', 1);
    const volume = persistenceIdOf(first);

    // Killed through the API (replaced, not scaled).
    expect((await d.api('DELETE', `/v2/apps/pv/one/tasks/${first.id}`)).status).toBe(200);
    const [second] = await waitReplaced(d, '/pv/one', 1, new Set([first.id]));
    expect(persistenceIdOf(second)).toBe(volume);

    // Crashed: its process dies under it.
    const proc = d.taskProcesses().find((p) => p.taskId === second.id);
    expect(proc).toBeDefined();
    process.kill(-(proc as { pgid: number }).pgid, 'SIGKILL');
    const [third] = await waitReplaced(d, '/pv/one', 1, new Set([first.id, second.id]));
    expect(persistenceIdOf(third)).toBe(volume);
    expect(await logOf(d, volume, 3)).toEqual([first.id, second.id, third.id]);
    expect(volumeNames(d)).toEqual([volume]);
  });

  // One instance is Marathon's special case (minimum healthy = maximum capacity): a resident app
  // kills first instead of starting one extra task.
  for (const n of [1, 2]) {
    it(`replaces each of ${n} instance(s) in place on its volume in a rolling upgrade`, { timeout: 60_000 }, async () => {
      const d = await startDaemon();
      await createApp(d, resident('/pv/roll', { instances: n }));
      const before = await waitRunning(d, '/pv/roll', n);
      const volumes = before.map(persistenceIdOf).sort();
      const update = await d.api('PUT', '/v2/apps/pv/roll', { ...resident('/pv/roll', { instances: n }), env: { GENERATION: '2' } });
      expect(update.status, update.text).toBe(200);
      const after = await waitReplaced(d, '/pv/roll', n, new Set(before.map((t: Json) => t.id)));
      await waitNoDeployments(d);
      // No second volume was ever made: each new task took an old task's volume.
      expect(after.map(persistenceIdOf).sort()).toEqual(volumes);
      expect(volumeNames(d)).toEqual(volumes);
      for (const v of volumes) expect(await logOf(d, v, 2)).toHaveLength(2);
    });
  }

  it('suspends the highest instances on scale-down and resumes them first on scale-up', { timeout: 60_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, resident('/pv/scale', { instances: 3 }));
    const three = await waitRunning(d, '/pv/scale', 3);
    const volumes = three.map(persistenceIdOf);
    const reservations = await reservedVolumes(d);
    const instanceOf = (pid: string) => reservations.find((r: Json) => r.disk.persistence.id === pid).reservation.labels.labels.find((l: Json) => l.key === 'marathon_task_id').value;
    expect(new Set(volumes.map(instanceOf)).size).toBe(3);

    expect((await d.api('PUT', '/v2/apps/pv/scale', { instances: 1 })).status).toBe(200);
    const [kept] = await waitRunning(d, '/pv/scale', 1);
    // Every volume is kept; two are suspended.
    expect(volumeNames(d)).toEqual([...volumes].sort());
    const states = (await reservedVolumes(d)).map((r: Json) => r.reservation.labels.labels.find((l: Json) => l.key === 'dcos_state').value).sort();
    expect(states).toEqual(['in use', 'suspended', 'suspended']);

    expect((await d.api('PUT', '/v2/apps/pv/scale', { instances: 3 })).status).toBe(200);
    const again = await waitRunning(d, '/pv/scale', 3);
    // Back on the same three volumes: none new.
    expect(again.map(persistenceIdOf).sort()).toEqual([...volumes].sort());
    expect(volumeNames(d)).toEqual([...volumes].sort());
    expect(again.map((t: Json) => t.id)).toContain(kept.id);

    // One more than ever before: a fourth, new volume.
    expect((await d.api('PUT', '/v2/apps/pv/scale', { instances: 4 })).status).toBe(200);
    const four = await waitRunning(d, '/pv/scale', 4);
    expect(new Set(four.map(persistenceIdOf)).size).toBe(4);
    expect(volumeNames(d)).toHaveLength(4);
  });

  it('destroys an instance volume on wipe=true, and every volume when the app is removed', { timeout: 60_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, resident('/pv/wipe', { instances: 2 }));
    const tasks = await waitRunning(d, '/pv/wipe', 2);
    const [wiped, kept] = tasks.map(persistenceIdOf);
    expect((await d.api('DELETE', `/v2/apps/pv/wipe/tasks/${tasks[0].id}?wipe=true`)).status).toBe(200);
    // The wiped instance's volume goes once its task is over; a fresh instance takes a new one.
    await waitFor(() => !volumeNames(d).includes(wiped), { what: `volume ${wiped} destroyed` });
    const [fresh] = await waitReplaced(d, '/pv/wipe', 1, new Set(tasks.map((t: Json) => t.id)));
    const freshVolume = persistenceIdOf(fresh);
    expect([wiped, kept]).not.toContain(freshVolume);
    expect(await logOf(d, freshVolume, 1)).toEqual([fresh.id]);
    expect(await logOf(d, kept, 1)).toEqual([tasks[1].id]);
    expect(d.log()).toContain(`destroyed the persistent volumes of instance`);

    expect((await d.api('DELETE', '/v2/apps/pv/wipe')).status).toBe(200);
    await waitNoDeployments(d, 20_000);
    expect(volumeNames(d)).toEqual([]);
    expect(await reservedVolumes(d)).toEqual([]);
    const state = await d.api('GET', '/master/state');
    expect(state.json.slaves[0].used_resources.disk).toBe(0);
  });

  it('finds every volume and its instance after a SIGKILL of the daemon', { timeout: 60_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, resident('/pv/crash', { instances: 2 }));
    await waitRunning(d, '/pv/crash', 2);
    expect((await d.api('PUT', '/v2/apps/pv/crash', { instances: 1 })).status).toBe(200);
    const [running] = await waitRunning(d, '/pv/crash', 1);
    const before = (await reservedVolumes(d)).map((r: Json) => [r.disk.persistence.id, r.reservation.labels.labels.find((l: Json) => l.key === 'marathon_task_id').value]).sort();
    await d.sigkill();
    await d.restart();
    const after = (await reservedVolumes(d)).map((r: Json) => [r.disk.persistence.id, r.reservation.labels.labels.find((l: Json) => l.key === 'marathon_task_id').value]).sort();
    expect(after).toEqual(before);
    // The running task was re-adopted on its volume; the suspended instance comes back on its own.
    const [adopted] = await waitRunning(d, '/pv/crash', 1);
    expect(adopted.id).toBe(running.id);
    expect((await d.api('PUT', '/v2/apps/pv/crash', { instances: 2 })).status).toBe(200);
    const two = await waitRunning(d, '/pv/crash', 2);
    expect(two.map(persistenceIdOf).sort()).toEqual(before.map(([pid]) => pid).sort());
  });

  it('refuses what Marathon refuses for resident apps, naming the field', { timeout: 30_000 }, async () => {
    const d = await startDaemon();
    const over = await d.api('POST', '/v2/apps', resident('/pv/over', { upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.5 } }));
    expect(over.status).toBe(422);
    expect(over.json.details).toContainEqual({ path: '/upgradeStrategy/maximumOverCapacity', errors: [expect.stringContaining('got 0.5, expected 0')] });
    const bad = await d.api('POST', '/v2/apps', {
      ...resident('/pv/bad'),
      container: { type: 'MESOS', volumes: [{ containerPath: 'var/data', mode: 'RO', persistent: {} }] },
    });
    expect(bad.status).toBe(422);
    const paths = bad.json.details.map((x: Json) => x.path);
    expect(paths).toEqual(expect.arrayContaining(['/container/volumes(0)/containerPath', '/container/volumes(0)/mode', '/container/volumes(0)/persistent/size']));
    expect(volumeNames(d)).toEqual([]);

    await createApp(d, resident('/pv/fixed'));
    await waitRunning(d, '/pv/fixed', 1);
    const resize = await d.api('PUT', '/v2/apps/pv/fixed', { ...resident('/pv/fixed'), container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 128 } }] } });
    expect(resize.status).toBe(422);
    expect(resize.json.details).toEqual([{ path: '/', errors: ['Persistent volumes can not be changed!'] }]);
    // A whole-definition update (PUT is partial in Marathon) without the volumes would drop them.
    const drop = await d.api('PUT', '/v2/apps/pv/fixed?partialUpdate=false', { id: '/pv/fixed', cmd: 'sleep 1000', cpus: 0.01, mem: 16 });
    expect(drop.status).toBe(422);
    // A change that keeps the volumes is fine.
    expect((await d.api('PUT', '/v2/apps/pv/fixed', { ...resident('/pv/fixed'), mem: 24 })).status).toBe(200);
  });

  it('keeps an instance whose volumes do not fit the disk waiting, and says why', { timeout: 30_000 }, async () => {
    const d = await startDaemon({ env: { DCOS_NODE_DISK: '100' } });
    await createApp(d, resident('/pv/fits'));
    await waitRunning(d, '/pv/fits', 1);
    // 64 MB of the node's 100 are the first app's volume: a second 64 MB volume cannot be made.
    await createApp(d, resident('/pv/nofit'));
    const queued = await waitFor(
      async () => ((await d.api('GET', '/v2/queue')).json.queue as Json[]).find((q) => q.app.id === '/pv/nofit' && q.lastUnusedOfferReason),
      { what: 'the queue entry of /pv/nofit with its reason' },
    );
    expect(queued.lastUnusedOfferReason).toBe("Not enough disk on this node for a new instance's persistent volumes: needs 64 MB of volumes, 36 MB free");
    expect(queued.processedOffersSummary.rejectSummaryLastOffers).toContainEqual(expect.objectContaining({ reason: 'InsufficientDisk', declined: expect.any(Number) }));
    expect(volumeNames(d)).toHaveLength(1);
    expect(await appTasks(d, '/pv/nofit')).toEqual([]);
    // Freed disk lets it through: the first app's removal destroys its volume.
    expect((await d.api('DELETE', '/v2/apps/pv/fits')).status).toBe(200);
    const [t] = await waitRunning(d, '/pv/nofit', 1, { timeoutMs: 20_000 });
    expect(volumeNames(d)).toEqual([persistenceIdOf(t)]);
  });

  it('links host volumes into a process sandbox, and refuses an absolute containerPath it cannot show', { timeout: 30_000 }, async () => {
    const d = await startDaemon();
    const host = join(d.tmpDir, 'shared');
    mkdirSync(host);
    writeFileSync(join(host, 'greeting'), 'hello\n');
    const hostVolumeApp = (id: string, cmd: string, containerPath: string) => ({
      id,
      cmd,
      cpus: 0.01,
      mem: 16,
      container: { type: 'MESOS', volumes: [{ containerPath, hostPath: host, mode: 'RO' }] },
    });
    await createApp(d, hostVolumeApp('/pv/host', 'cat conf/greeting > seen && exec sleep 1000', 'conf'));
    const [t] = await waitRunning(d, '/pv/host', 1);
    const sandbox = await sandboxOf(d, t.id);
    await waitFor(() => existsSync(join(sandbox, 'seen')) && readFileSync(join(sandbox, 'seen'), 'utf8') === 'hello\n', { what: 'the task read its host volume' });

    await createApp(d, hostVolumeApp('/pv/abs', 'sleep 1000', '/etc/app'));
    const failure = await waitFor(async () => (await d.api('GET', '/v2/apps/pv/abs?embed=app.lastTaskFailure')).json.app.lastTaskFailure, {
      what: 'the task failure of /pv/abs',
    });
    expect(failure.message).toContain(`containerPath "/etc/app" cannot show hostPath "${host}"`);
  });
});
