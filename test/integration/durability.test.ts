/** Crashes and restarts: tasks outlive the daemon, are re-adopted (never duplicated), deployments resume. */
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, startDaemon, stopAllDaemons, waitFor, type TaskProcess, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, sleeper, waitRunning, webApp, type Json } from './support.js';

afterEach(stopAllDaemons);

/** Task id -> the process groups (and their pids) of live processes carrying that MESOS_TASK_ID. */
function groupsByTask(d: TestDaemon): Map<string, Map<number, number[]>> {
  const out = new Map<string, Map<number, number[]>>();
  for (const p of d.taskProcesses()) {
    if (!p.taskId) continue;
    const groups = out.get(p.taskId) ?? new Map<number, number[]>();
    groups.set(p.pgid, [...(groups.get(p.pgid) ?? []), p.pid].sort((a, b) => a - b));
    out.set(p.taskId, groups);
  }
  return out;
}

/** Exactly one live process group per task id, and no process without a task id. */
function expectOneGroupPerTask(d: TestDaemon): Map<string, Map<number, number[]>> {
  const groups = groupsByTask(d);
  for (const [taskId, g] of groups) expect(g.size, `process groups of ${taskId}: ${JSON.stringify([...g])}`).toBe(1);
  const anonymous: TaskProcess[] = d.taskProcesses().filter((p) => !p.taskId);
  expect(anonymous).toEqual([]);
  return groups;
}

describe('durability', () => {
  it('SIGKILL during a scale 2 -> 6: same tasks and pids after restart, none duplicated, the deployment finishes', { timeout: 60_000 }, async () => {
    const d = await startDaemon();
    // Healthy only ~2.5 s after start: the scale deployment is still running when the daemon dies.
    await createApp(d, webApp('/durable/web', { instances: 2, env: { LISTEN_DELAY_MS: '2500' } }));
    const original = await waitRunning(d, '/durable/web', 2, { healthy: true });
    const scale = await d.api('PUT', '/v2/apps/durable/web', { instances: 6 });
    expect(scale.status).toBe(200);
    await waitFor(async () => (await appTasks(d, '/durable/web')).length >= 4, { what: 'new tasks launched' });
    const beforeIds = (await appTasks(d, '/durable/web')).map((t: Json) => t.id);
    await d.sigkill();

    // The daemon is gone; the task processes are not.
    const orphans = expectOneGroupPerTask(d);
    for (const t of original) expect(orphans.has(t.id), `original task ${t.id} alive`).toBe(true);
    for (const id of orphans.keys()) expect(beforeIds.includes(id) || id.startsWith('durable_web.'), id).toBe(true);

    await d.restart();
    const afterRestart = await appTasks(d, '/durable/web');
    const ids = afterRestart.map((t: Json) => t.id);
    for (const [taskId, groups] of orphans) {
      // Same task id, same process group, same pids: re-adopted, not relaunched.
      expect(ids, `task ${taskId} re-adopted`).toContain(taskId);
      const [pgid, pids] = [...groups][0];
      expect(groupsByTask(d).get(taskId)?.get(pgid), `pids of ${taskId}`).toEqual(pids);
      for (const pid of pids) expect(isAlive(pid)).toBe(true);
    }
    expectOneGroupPerTask(d);
    expect((await d.api('GET', '/v2/deployments')).json.map((x: Json) => x.id)).toContain(scale.json.deploymentId);

    const final = await waitRunning(d, '/durable/web', 6, { healthy: true, timeoutMs: 30_000 });
    expect(new Set(final.map((t: Json) => t.id)).size).toBe(6);
    for (const t of original) expect(final.map((x: Json) => x.id)).toContain(t.id);
    for (const taskId of orphans.keys()) expect(final.map((x: Json) => x.id)).toContain(taskId);
    const groups = expectOneGroupPerTask(d);
    expect([...groups.keys()].sort()).toEqual(final.map((t: Json) => t.id).sort());
    expect((await getApp(d, '/durable/web')).instances).toBe(6);
  });

  it('SIGTERM stops only the daemon: tasks keep running and are re-adopted, then still controllable', { timeout: 40_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, sleeper('/durable/sleep', { instances: 3 }));
    const tasks = await waitRunning(d, '/durable/sleep', 3);
    const before = expectOneGroupPerTask(d);
    await d.sigterm();
    expect(d.running).toBe(false);
    // Down for a while: every task process is still there, unchanged.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const during = expectOneGroupPerTask(d);
    expect([...during.keys()].sort()).toEqual(tasks.map((t: Json) => t.id).sort());
    for (const [id, g] of before) expect([...during.get(id)!.keys()]).toEqual([...g.keys()]);

    await d.restart();
    const adopted = await waitRunning(d, '/durable/sleep', 3);
    expect(adopted.map((t: Json) => t.id).sort()).toEqual(tasks.map((t: Json) => t.id).sort());
    await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than the adopted-task liveness poll
    expect((await appTasks(d, '/durable/sleep')).map((t: Json) => t.id).sort()).toEqual(tasks.map((t: Json) => t.id).sort());

    // Adopted tasks (not children of this daemon) are still killed and replaced properly.
    const victim = tasks[0];
    const [pgid] = [...before.get(victim.id)!.keys()];
    expect((await d.api('DELETE', `/v2/apps/durable/sleep/tasks/${victim.id}`)).status).toBe(200);
    await waitFor(() => !isAlive(pgid), { what: 'the adopted task process killed' });
    const replaced = await waitFor(
      async () => {
        const now = await appTasks(d, '/durable/sleep');
        return now.length === 3 && !now.some((t: Json) => t.id === victim.id) && now.every((t: Json) => t.state === 'TASK_RUNNING') ? now : undefined;
      },
      { what: 'a replacement for the killed adopted task' },
    );
    expect(replaced).toHaveLength(3);
    expectOneGroupPerTask(d);
  });

  it('a task that exits while the daemon is down is reported failed and replaced after restart', { timeout: 30_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, sleeper('/durable/short', { cmd: 'sleep 2' }));
    const [task] = await waitRunning(d, '/durable/short', 1);
    await d.sigterm();
    await waitFor(() => !groupsByTask(d).has(task.id), { what: 'the task to end while the daemon is down', timeoutMs: 5000 });
    await d.restart();
    const app = await waitFor(async () => {
      const a = await getApp(d, '/durable/short');
      return a.lastTaskFailure?.taskId === task.id ? a : undefined;
    }, { what: 'the failure recorded' });
    expect(app.lastTaskFailure.state).toBe('TASK_FAILED');
    await waitFor(async () => (await appTasks(d, '/durable/short')).some((t: Json) => t.id !== task.id), { what: 'a replacement task' });
  });
});
