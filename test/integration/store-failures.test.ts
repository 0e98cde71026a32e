/**
 * A store that cannot be written for a while (another connection holds SQLite's write lock) while
 * tasks run, exit, are health-checked, killed and relaunched: the daemon keeps running, memory
 * never holds what the store does not, and once the store works again every change waiting for it
 * lands, so the cluster converges (the app removal finishes, no port is leaked, every failure is
 * recorded).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, holdStoreLock, readStore, sleeper, waitRunning, type Json } from './support.js';

let d: TestDaemon;
let flags: string;
beforeAll(async () => {
  flags = mkdtempSync(join(tmpdir(), 'dcos-it-store-'));
  d = await startDaemon();
});
afterAll(async () => {
  await stopAllDaemons();
  rmSync(flags, { recursive: true, force: true });
});

const flag = (name: string) => join(flags, name);
const touch = (name: string) => writeFileSync(flag(name), '');
/** A task that runs until the flag exists, then exits with status 3 (removing the flag first, if asked). */
const untilFlag = (name: string, remove = false) => `while [ ! -e '${flag(name)}' ]; do sleep 0.1; done; ${remove ? `rm -f '${flag(name)}'; ` : ''}exit 3`;

/** Active tasks as memory has them (the API) and as the store has them: id, state, health results. */
async function memoryTasks(): Promise<Json[]> {
  const res = await d.api('GET', '/v2/tasks');
  expect(res.status, res.text).toBe(200);
  return res.json.tasks.map((t: Json) => ({ id: t.id, state: t.state, health: t.healthCheckResults ?? [] })).sort(byId);
}
function storedTasks(): Json[] {
  return readStore(d.dataDir, (db) =>
    (db.prepare('SELECT data FROM tasks').all() as Array<{ data: string }>)
      .map((r) => JSON.parse(r.data))
      .map((t: Json) => ({ id: t.id, state: t.state, health: t.healthCheckResults ?? [] }))
      .sort(byId),
  );
}
const byId = (a: Json, b: Json) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Each app's last task failure, as memory and as the store have it. */
async function memoryFailures(): Promise<Record<string, Json>> {
  const res = await d.api('GET', '/v2/apps?embed=apps.lastTaskFailure');
  expect(res.status, res.text).toBe(200);
  return Object.fromEntries(res.json.apps.filter((a: Json) => a.lastTaskFailure).map((a: Json) => [a.id, a.lastTaskFailure]));
}
function storedFailures(): Record<string, Json> {
  return readStore(d.dataDir, (db) =>
    Object.fromEntries((db.prepare('SELECT app_id, data FROM app_failures').all() as Array<{ app_id: string; data: string }>).map((r) => [r.app_id, JSON.parse(r.data)])),
  );
}

async function expectMemoryMatchesStore(): Promise<void> {
  expect(await memoryTasks()).toEqual(storedTasks());
  expect(await memoryFailures()).toEqual(storedFailures());
}

async function portsInUse(): Promise<number[]> {
  const res = await d.api('GET', '/dcos-local/status');
  expect(res.status, res.text).toBe(200);
  expect(Array.isArray(res.json.portsInUse), res.text).toBe(true);
  return [...res.json.portsInUse].sort((a: number, b: number) => a - b);
}

async function alive(): Promise<boolean> {
  return d.running && (await d.api('GET', '/ping').then((r) => r.status === 200, () => false));
}

describe('a store that cannot be written for a while', () => {
  it('keeps the daemon running and memory as the store has it, then converges', { timeout: 180_000 }, async () => {
    const check = (command: string, extra: Json = {}) => [{ protocol: 'COMMAND', command: { value: command }, intervalSeconds: 1, timeoutSeconds: 5, ...extra }];
    await createApp(d, sleeper('/sf/checked', { healthChecks: check('true', { gracePeriodSeconds: 30 }) }));
    await createApp(d, sleeper('/sf/exits', { cmd: untilFlag('exits', true), portDefinitions: [{ port: 0 }] }));
    // Relaunched after an 8 s backoff: while the store is locked (the margin covers a loaded machine).
    await createApp(d, sleeper('/sf/relaunch', { cmd: untilFlag('relaunch', true), portDefinitions: [{ port: 0 }, { port: 0 }], backoffSeconds: 8, maxLaunchDelaySeconds: 8 }));
    // Fails its check once its flag exists, and is then killed as unhealthy (its first failure counts).
    await createApp(
      d,
      sleeper('/sf/unhealthy', {
        healthChecks: check(`if [ -e '${flags}'/unhealthy-"$MESOS_TASK_ID" ]; then touch '${flags}'/seen-"$MESOS_TASK_ID"; exit 1; fi`, {
          gracePeriodSeconds: 0,
          maxConsecutiveFailures: 1,
        }),
      }),
    );
    // Ignores SIGTERM: its kill ends with SIGKILL after the grace period, while the store is locked.
    await createApp(d, sleeper('/sf/removed', { cmd: "trap '' TERM; exec sleep 1000", taskKillGracePeriodSeconds: 15 }));
    const [checked] = await waitRunning(d, '/sf/checked', 1, { healthy: true });
    const [exits] = await waitRunning(d, '/sf/exits', 1);
    const [unhealthy] = await waitRunning(d, '/sf/unhealthy', 1, { healthy: true });
    const [removed] = await waitRunning(d, '/sf/removed', 1);
    await waitRunning(d, '/sf/relaunch', 1);

    const removal = await d.api('DELETE', '/v2/apps/sf/removed');
    expect(removal.status, removal.text).toBe(200);
    await d.waitFor(async () => (await memoryTasks()).find((t) => t.id === removed.id)?.state === 'TASK_KILLING', { what: 'the removed app task killing' });
    touch('relaunch');
    const relaunchFailure = await d.waitFor(
      async () => {
        const app = await getApp(d, '/sf/relaunch');
        return app.lastTaskFailure && app.tasks.length === 0 ? app.lastTaskFailure : undefined;
      },
      { what: 'the relaunched app failed, its next launch waiting out the backoff' },
    );

    const release = holdStoreLock(d.dataDir);
    let released = false;
    try {
      // The setup must have been quick enough for the lock to catch what follows.
      expect(d.taskProcesses().some((p) => p.taskId === removed.id), 'the removed task is still in its grace period').toBe(true);
      expect(Date.now(), 'the relaunch is still waiting out its backoff').toBeLessThan(Date.parse(relaunchFailure.timestamp) + 8000);

      // A kill asked for now: accepted, carried out once it is stored.
      const kill = await d.api('POST', '/v2/tasks/delete', { ids: [checked.id] });
      expect(kill.status, kill.text).toBe(200);
      // A task that exits, a health check that fails, a kill that ends with SIGKILL.
      touch('exits');
      await d.waitFor(() => !d.taskProcesses().some((p) => p.taskId === exits.id), { what: 'the exiting task gone', timeoutMs: 20_000 });
      touch(`unhealthy-${unhealthy.id}`);
      await d.waitFor(() => existsSync(flag(`seen-${unhealthy.id}`)), { what: 'the failing health check run', timeoutMs: 20_000 });
      await d.waitFor(() => !d.taskProcesses().some((p) => p.taskId === removed.id), { what: 'the removed task SIGKILLed', timeoutMs: 45_000 });
      // The relaunch has come due (and been tried) under the lock.
      await sleep(Math.max(0, Date.parse(relaunchFailure.timestamp) + 9500 - Date.now()));
      // More health checks of the checked app have run meanwhile; more results to save.
      await sleep(1500);

      expect(await alive(), 'the daemon is alive').toBe(true);
      // Nothing of that is in memory, since the store does not have it.
      await expectMemoryMatchesStore();
      expect((await memoryTasks()).find((t) => t.id === removed.id)?.state).toBe('TASK_KILLING');
      expect((await memoryTasks()).find((t) => t.id === exits.id)?.state).toBe('TASK_RUNNING');
      release();
      released = true;
    } finally {
      if (!released) release();
    }

    // Everything that waited lands; the cluster converges.
    await d.waitFor(async () => (await d.api('GET', '/v2/apps/sf/removed')).status === 404, { what: 'the app removal finished', timeoutMs: 60_000 });
    await d.waitFor(async () => (await d.api('GET', '/v2/deployments')).json?.length === 0, { what: 'no deployments', timeoutMs: 30_000 });
    const failures = await d.waitFor(
      async () => {
        const f = await memoryFailures();
        return f['/sf/exits']?.taskId === exits.id && f['/sf/unhealthy']?.taskId === unhealthy.id ? f : undefined;
      },
      { what: 'the failures of the exited and the unhealthy task recorded', timeoutMs: 60_000 },
    );
    expect(failures['/sf/exits'].message).toBe('Command exited with status 3');
    expect(failures['/sf/unhealthy'].message).toMatch(/^Killed as unhealthy/);
    for (const id of ['/sf/checked', '/sf/exits', '/sf/unhealthy', '/sf/relaunch']) await waitRunning(d, id, 1, { timeoutMs: 60_000 });
    expect((await appTasks(d, '/sf/checked')).map((t) => t.id)).not.toContain(checked.id);
    expect((await appTasks(d, '/sf/unhealthy')).map((t) => t.id)).not.toContain(unhealthy.id);
    await d.waitFor(async () => JSON.stringify(await memoryTasks()) === JSON.stringify(storedTasks()), { what: 'memory and store agree on tasks' });
    await expectMemoryMatchesStore();
    const activePorts = ((await d.api('GET', '/v2/tasks')).json.tasks as Json[]).flatMap((t) => t.ports).sort((a, b) => a - b);
    expect(await portsInUse()).toEqual(activePorts);
    // At least the exiting app's one and the relaunched app's two.
    expect(activePorts.length).toBeGreaterThanOrEqual(3);
    expect(await alive()).toBe(true);

    // And with every app gone, every port is free again.
    for (const id of ['/sf/checked', '/sf/exits', '/sf/unhealthy', '/sf/relaunch']) expect((await d.api('DELETE', `/v2/apps${id}`)).status).toBe(200);
    await d.waitFor(async () => (await memoryTasks()).length === 0, { what: 'every task gone', timeoutMs: 30_000 });
    expect(await portsInUse()).toEqual([]);
    expect(d.log()).not.toMatch(/uncaught|unhandled/i);
  });
});
