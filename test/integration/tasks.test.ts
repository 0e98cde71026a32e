/** Task listing and killing: `/v2/apps/{id}/tasks`, `/v2/tasks`, `/v2/tasks/delete`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, sleeper, waitRunning, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function pidsOf(taskIds: string[]): number[] {
  return d.taskProcesses().filter((p) => p.taskId !== undefined && taskIds.includes(p.taskId)).map((p) => p.pid);
}

describe('listing tasks', () => {
  it('GET /v2/apps/{id}/tasks and /v2/tasks give Marathon task JSON', async () => {
    const app = await createApp(d, sleeper('/tasks/list', { instances: 2, portDefinitions: [{ port: 0 }, { port: 0 }] }));
    const tasks = await waitRunning(d, '/tasks/list', 2);
    const res = await d.api('GET', '/v2/apps/tasks/list/tasks');
    expect(res.status).toBe(200);
    expect(res.json.tasks).toHaveLength(2);
    for (const t of res.json.tasks) {
      expect(t.id).toMatch(/^tasks_list\.[0-9a-f-]{36}$/);
      expect(t).toMatchObject({ appId: '/tasks/list', host: '127.0.0.1', slaveId: d.agentId, state: 'TASK_RUNNING', version: app.version });
      expect(t.ports).toHaveLength(2);
      expect(t.servicePorts).toEqual(app.portDefinitions.map((p: Json) => p.port));
      expect(t.stagedAt).toMatch(ISO);
      expect(t.startedAt).toMatch(ISO);
      expect(t.startedAt >= t.stagedAt).toBe(true);
      expect(t.ipAddresses).toEqual([{ ipAddress: '127.0.0.1', protocol: 'IPv4' }]);
    }
    // Each task is a real process, with its id in the environment.
    expect(pidsOf(tasks.map((t: Json) => t.id)).length).toBeGreaterThanOrEqual(2);

    const all = await d.api('GET', '/v2/tasks');
    expect(all.status).toBe(200);
    const mine = all.json.tasks.filter((t: Json) => t.appId === '/tasks/list');
    expect(mine.map((t: Json) => t.id).sort()).toEqual(tasks.map((t: Json) => t.id).sort());
    const running = await d.api('GET', '/v2/tasks?status=running');
    expect(running.json.tasks.filter((t: Json) => t.appId === '/tasks/list')).toHaveLength(2);
    expect(running.json.tasks.every((t: Json) => t.state === 'TASK_RUNNING')).toBe(true);
    const staging = await d.api('GET', '/v2/tasks?status=staging');
    expect(staging.json.tasks.every((t: Json) => t.state === 'TASK_STAGING')).toBe(true);
    expect(staging.json.tasks.filter((t: Json) => t.appId === '/tasks/list')).toHaveLength(0);

    expect((await d.api('GET', '/v2/apps/tasks/nope/tasks')).status).toBe(404);
  });
});

describe('killing tasks', () => {
  it('DELETE /v2/apps/{id}/tasks kills every task; replacements are launched (instances unchanged)', async () => {
    await createApp(d, sleeper('/tasks/kill-all', { instances: 2 }));
    const before = await waitRunning(d, '/tasks/kill-all', 2);
    const pids = pidsOf(before.map((t: Json) => t.id));
    const res = await d.api('DELETE', '/v2/apps/tasks/kill-all/tasks');
    expect(res.status, res.text).toBe(200);
    expect(res.json.tasks.map((t: Json) => t.id).sort()).toEqual(before.map((t: Json) => t.id).sort());
    await waitFor(() => pids.every((pid) => !isAlive(pid)), { what: 'the killed processes to exit' });
    const after = await waitFor(
      async () => {
        const tasks = await appTasks(d, '/tasks/kill-all');
        return tasks.length === 2 && tasks.every((t: Json) => t.state === 'TASK_RUNNING' && !before.some((b: Json) => b.id === t.id)) ? tasks : undefined;
      },
      { what: 'two replacement tasks' },
    );
    expect(after).toHaveLength(2);
    expect((await getApp(d, '/tasks/kill-all')).instances).toBe(2);
  });

  it('DELETE /v2/apps/{id}/tasks?scale=true kills and lowers instances by the number killed', async () => {
    await createApp(d, sleeper('/tasks/kill-scale', { instances: 2 }));
    await waitRunning(d, '/tasks/kill-scale', 2);
    const res = await d.api('DELETE', '/v2/apps/tasks/kill-scale/tasks?scale=true');
    expect(res.status, res.text).toBe(200);
    expect(res.json.deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('marathon-deployment-id')).toBe(res.json.deploymentId);
    await waitRunning(d, '/tasks/kill-scale', 0);
    expect((await getApp(d, '/tasks/kill-scale')).instances).toBe(0);
  });

  it('DELETE /v2/apps/{id}/tasks/{taskId}: one task, replaced; with scale=true the app shrinks by one', async () => {
    await createApp(d, sleeper('/tasks/kill-one', { instances: 3 }));
    const before = await waitRunning(d, '/tasks/kill-one', 3);
    const victim = before[0];
    const res = await d.api('DELETE', `/v2/apps/tasks/kill-one/tasks/${victim.id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.json.task.id).toBe(victim.id);
    const replaced = await waitFor(
      async () => {
        const tasks = await appTasks(d, '/tasks/kill-one');
        return tasks.length === 3 && tasks.every((t: Json) => t.id !== victim.id && t.state === 'TASK_RUNNING') ? tasks : undefined;
      },
      { what: 'a replacement for the killed task' },
    );
    expect(replaced.filter((t: Json) => !before.some((b: Json) => b.id === t.id))).toHaveLength(1);

    const chosen = replaced[1];
    const scaled = await d.api('DELETE', `/v2/apps/tasks/kill-one/tasks/${chosen.id}?scale=true`);
    expect(scaled.status, scaled.text).toBe(200);
    expect(scaled.json.deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    const left = await waitRunning(d, '/tasks/kill-one', 2);
    expect(left.map((t: Json) => t.id)).not.toContain(chosen.id); // exactly the sentenced task died
    expect((await getApp(d, '/tasks/kill-one')).instances).toBe(2);

    const unknown = await d.api('DELETE', '/v2/apps/tasks/kill-one/tasks/tasks_kill-one.00000000-0000-0000-0000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ message: "Task 'tasks_kill-one.00000000-0000-0000-0000-000000000000' does not exist" });
    // A task of another app is unknown to this one.
    const other = (await appTasks(d, '/tasks/kill-all'))[0];
    expect((await d.api('DELETE', `/v2/apps/tasks/kill-one/tasks/${other.id}`)).status).toBe(404);
  });

  it('scale=true&wipe=true is 400 and kills nothing', async () => {
    const tasks = await appTasks(d, '/tasks/kill-one');
    for (const path of ['/v2/apps/tasks/kill-one/tasks?scale=true&wipe=true', `/v2/apps/tasks/kill-one/tasks/${tasks[0].id}?scale=TRUE&wipe=true`]) {
      const res = await d.api('DELETE', path);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ message: 'You cannot use scale and wipe at the same time.' });
    }
    const bulk = await d.api('POST', '/v2/tasks/delete?scale=true&wipe=true', { ids: [tasks[0].id] });
    expect(bulk.status).toBe(400);
    expect((await appTasks(d, '/tasks/kill-one')).map((t: Json) => t.id).sort()).toEqual(tasks.map((t: Json) => t.id).sort());
  });

  it('POST /v2/tasks/delete kills the listed tasks (unknown ids skipped, bad ids 400); scale=true shrinks', async () => {
    await createApp(d, sleeper('/tasks/bulk', { instances: 3 }));
    const before = await waitRunning(d, '/tasks/bulk', 3);
    const ids = [before[0].id, before[1].id];
    const res = await d.api('POST', '/v2/tasks/delete', { ids: [...ids, 'tasks_bulk.11111111-1111-1111-1111-111111111111'] });
    expect(res.status, res.text).toBe(200);
    expect(res.json.tasks.map((t: Json) => t.id).sort()).toEqual([...ids].sort());
    await waitFor(
      async () => {
        const tasks = await appTasks(d, '/tasks/bulk');
        return tasks.length === 3 && tasks.every((t: Json) => !ids.includes(t.id) && t.state === 'TASK_RUNNING');
      },
      { what: 'replacements of the two killed tasks' },
    );

    const bad = await d.api('POST', '/v2/tasks/delete', { ids: ['nodots'] });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain("Invalid task id 'nodots'");

    const current = await appTasks(d, '/tasks/bulk');
    const scaled = await d.api('POST', '/v2/tasks/delete?scale=true', { ids: [current[2].id] });
    expect(scaled.status, scaled.text).toBe(200);
    expect(scaled.headers.get('marathon-deployment-id')).toBe(scaled.json.deploymentId);
    const left = await waitRunning(d, '/tasks/bulk', 2);
    expect(left.map((t: Json) => t.id)).not.toContain(current[2].id);
    expect((await getApp(d, '/tasks/bulk')).instances).toBe(2);
  });
});
