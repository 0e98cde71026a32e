/** PUT/PATCH/DELETE of apps, restart, versions and rollback, and deployment locks (409 / force). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, sleeper, waitNoDeployments, waitRunning, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

const UUID = /^[0-9a-f-]{36}$/;

describe('PUT /v2/apps/{id}', () => {
  it('a scale-only change moves lastScalingAt only; a config change moves both and replaces the tasks', async () => {
    const created = await createApp(d, sleeper('/upd/scale'));
    const [first] = await waitRunning(d, '/upd/scale', 1);
    const scale = await d.api('PUT', '/v2/apps/upd/scale', { instances: 2 });
    expect(scale.status, scale.text).toBe(200);
    expect(scale.json.deploymentId).toMatch(UUID);
    expect(scale.headers.get('marathon-deployment-id')).toBe(scale.json.deploymentId);
    const tasks = await waitRunning(d, '/upd/scale', 2);
    expect(tasks.map((t: Json) => t.id)).toContain(first.id); // scaling keeps the running task
    const scaled = await getApp(d, '/upd/scale');
    expect(scaled.version).toBe(scale.json.version);
    expect(scaled.versionInfo.lastScalingAt).toBe(scaled.version);
    expect(scaled.versionInfo.lastConfigChangeAt).toBe(created.versionInfo.lastConfigChangeAt);
    expect(scaled.cmd).toBe('sleep 1000'); // partial update: the rest is unchanged

    const config = await d.api('PUT', '/v2/apps/upd/scale', { cmd: 'sleep 1001' });
    expect(config.status).toBe(200);
    const replaced = await waitRunning(d, '/upd/scale', 2);
    const changed = await getApp(d, '/upd/scale');
    expect(changed).toMatchObject({ cmd: 'sleep 1001', instances: 2 });
    expect(changed.versionInfo).toEqual({ lastScalingAt: changed.version, lastConfigChangeAt: changed.version });
    expect(changed.version > scaled.version).toBe(true);
    for (const t of replaced) {
      expect(tasks.map((x: Json) => x.id)).not.toContain(t.id);
      expect(t.version).toBe(changed.version);
    }
  });

  it('partialUpdate=false replaces the definition (absent fields take defaults); the path id wins', async () => {
    await createApp(d, sleeper('/upd/full', { instances: 2, labels: { keep: 'no' }, env: { A: '1' } }));
    await waitRunning(d, '/upd/full', 2);
    const res = await d.api('PUT', '/v2/apps/upd/full?partialUpdate=false', { id: '/somewhere/else', cmd: 'sleep 999', cpus: 0.01, mem: 16 });
    expect(res.status, res.text).toBe(200);
    const app = await getApp(d, '/upd/full');
    expect(app).toMatchObject({ id: '/upd/full', cmd: 'sleep 999', instances: 1, labels: {}, env: {} });
    expect((await d.api('GET', '/v2/apps/somewhere/else')).status).toBe(404);
    await waitRunning(d, '/upd/full', 1);
  });

  it('creates a missing app (201 with Location)', async () => {
    const res = await d.api('PUT', '/v2/apps/upd/created', { cmd: 'sleep 1000', cpus: 0.01, mem: 16 });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('location')).toContain('/upd/created');
    expect(res.headers.get('marathon-deployment-id')).toMatch(UUID);
    await waitRunning(d, '/upd/created', 1);
  });

  it('rolls back to an older version with a body of only {version}; version mixed with fields is 422', async () => {
    const v1 = (await createApp(d, sleeper('/upd/rollback', { env: { WHICH: 'one' } }))).version;
    await waitRunning(d, '/upd/rollback', 1);
    await d.api('PUT', '/v2/apps/upd/rollback', { cmd: 'sleep 1002', env: { WHICH: 'two' } });
    await waitRunning(d, '/upd/rollback', 1);
    expect((await getApp(d, '/upd/rollback')).env).toEqual({ WHICH: 'two' });

    const mixed = await d.api('PUT', '/v2/apps/upd/rollback', { version: v1, cmd: 'sleep 5' });
    expect(mixed.status).toBe(422);
    expect(mixed.json.message).toBe('Object is not valid');
    expect(JSON.stringify(mixed.json.details)).toContain('version');

    const back = await d.api('PUT', '/v2/apps/upd/rollback', { version: v1 });
    expect(back.status, back.text).toBe(200);
    const tasks = await waitRunning(d, '/upd/rollback', 1);
    const app = await getApp(d, '/upd/rollback');
    expect(app).toMatchObject({ cmd: 'sleep 1000', env: { WHICH: 'one' } });
    expect(tasks[0].version).toBe(app.version);

    const unknown = await d.api('PUT', '/v2/apps/upd/rollback', { version: '2001-01-01T00:00:00.000Z' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toBe("App '/upd/rollback' does not exist in version 2001-01-01T00:00:00.000Z");
  });

  it('lists versions newest first and serves each version as a bare definition', async () => {
    await createApp(d, sleeper('/upd/vers', { instances: 0 }));
    await waitNoDeployments(d);
    expect((await d.api('PUT', '/v2/apps/upd/vers', { cmd: 'sleep 2' })).status).toBe(200);
    await waitNoDeployments(d);
    expect((await d.api('PUT', '/v2/apps/upd/vers', { cmd: 'sleep 3' })).status).toBe(200);
    const res = await d.api('GET', '/v2/apps/upd/vers/versions');
    expect(res.status).toBe(200);
    const versions: string[] = res.json.versions;
    expect(versions).toHaveLength(3);
    expect([...versions].sort().reverse()).toEqual(versions);
    const oldest = await d.api('GET', `/v2/apps/upd/vers/versions/${versions[2]}`);
    expect(oldest.status).toBe(200);
    expect(oldest.json).toMatchObject({ id: '/upd/vers', cmd: 'sleep 1000', version: versions[2] });
    expect(oldest.json.app).toBeUndefined();
    expect((await d.api('GET', `/v2/apps/upd/vers/versions/${versions[0]}`)).json.cmd).toBe('sleep 3');
    const missing = await d.api('GET', '/v2/apps/upd/vers/versions/2001-01-01T00:00:00.000Z');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe("App '/upd/vers' does not exist in version 2001-01-01T00:00:00.000Z");
    expect((await d.api('GET', '/v2/apps/upd/nope/versions')).status).toBe(404);
  });
});

describe('PATCH, DELETE and restart', () => {
  it('PATCH updates partially (200 + deployment) and is 404 for an unknown app', async () => {
    await createApp(d, sleeper('/upd/patch', { labels: { a: '1' } }));
    await waitRunning(d, '/upd/patch', 1);
    const res = await d.api('PATCH', '/v2/apps/upd/patch', { labels: { b: '2' } });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('marathon-deployment-id')).toBe(res.json.deploymentId);
    const app = await getApp(d, '/upd/patch');
    expect(app).toMatchObject({ labels: { b: '2' }, cmd: 'sleep 1000', mem: 16 });
    const missing = await d.api('PATCH', '/v2/apps/upd/patch-nope', { instances: 1 });
    expect(missing.status).toBe(404);
    expect((await d.api('GET', '/v2/apps/upd/patch-nope')).status).toBe(404);
  });

  it('DELETE removes the app at once and kills its tasks', async () => {
    await createApp(d, sleeper('/upd/delete', { instances: 2 }));
    const tasks = await waitRunning(d, '/upd/delete', 2);
    const pids = d.taskProcesses().filter((p) => tasks.some((t: Json) => t.id === p.taskId));
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const res = await d.api('DELETE', '/v2/apps/upd/delete');
    expect(res.status).toBe(200);
    expect(res.json.deploymentId).toMatch(UUID);
    expect(res.headers.get('marathon-deployment-id')).toBe(res.json.deploymentId);
    expect((await d.api('GET', '/v2/apps/upd/delete')).status).toBe(404);
    expect((await d.api('GET', '/v2/apps')).json.apps.map((a: Json) => a.id)).not.toContain('/upd/delete');
    await waitFor(() => pids.every((p) => !isAlive(p.pid)), { what: 'the deleted app processes to exit' });
    await waitFor(async () => (await d.api('GET', '/v2/tasks')).json.tasks.every((t: Json) => t.appId !== '/upd/delete'), { what: 'tasks gone' });
    expect((await d.api('DELETE', '/v2/apps/upd/delete')).status).toBe(404);
  });

  it('POST /restart re-versions the app (lastConfigChangeAt only) and replaces every task', async () => {
    const created = await createApp(d, sleeper('/upd/restarted', { instances: 2 }));
    const before = await waitRunning(d, '/upd/restarted', 2);
    const res = await d.api('POST', '/v2/apps/upd/restarted/restart');
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('marathon-deployment-id')).toBe(res.json.deploymentId);
    const after = await waitRunning(d, '/upd/restarted', 2);
    const app = await getApp(d, '/upd/restarted');
    expect(app.version).toBe(res.json.version);
    expect(app.versionInfo.lastConfigChangeAt).toBe(app.version);
    expect(app.versionInfo.lastScalingAt).toBe(created.versionInfo.lastScalingAt);
    expect(after.map((t: Json) => t.id).filter((id: string) => before.some((b: Json) => b.id === id))).toEqual([]);
    expect((await d.api('POST', '/v2/apps/upd/nope/restart')).status).toBe(404);
  });
});

describe('deployment locks', () => {
  // A health check that can never pass keeps the creation deployment running.
  const stuck = (id: string) =>
    sleeper(id, { healthChecks: [{ protocol: 'TCP', portIndex: 0, intervalSeconds: 1, gracePeriodSeconds: 300, maxConsecutiveFailures: 0 }] });

  it('409 AppLocked while a deployment runs, listing it; force=true (any case) overrides', async () => {
    const created = await createApp(d, stuck('/upd/locked'));
    const depId = created.deployments[0].id;
    await waitFor(async () => (await getApp(d, '/upd/locked')).tasksRunning === 1, { what: 'the task running' });
    expect((await getApp(d, '/upd/locked')).deployments).toEqual([{ id: depId }]);

    for (const call of [
      () => d.api('PUT', '/v2/apps/upd/locked', { instances: 2 }),
      () => d.api('PATCH', '/v2/apps/upd/locked', { cmd: 'sleep 3' }),
      () => d.api('POST', '/v2/apps/upd/locked/restart'),
      () => d.api('PUT', '/v2/apps/upd/locked?force=false', { instances: 2 }),
    ]) {
      const res = await call();
      expect(res.status, res.text).toBe(409);
      expect(res.json.message).toBe(
        "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
      );
      expect(res.json.deployments).toEqual([{ id: depId }]);
    }
    expect((await getApp(d, '/upd/locked')).instances).toBe(1); // a 409 changes nothing

    const forced = await d.api('PUT', '/v2/apps/upd/locked?force=true', { instances: 2 });
    expect(forced.status, forced.text).toBe(200);
    const deps = (await d.api('GET', '/v2/deployments')).json.map((x: Json) => x.id);
    expect(deps).not.toContain(depId);
    expect(deps).toContain(forced.json.deploymentId);
    expect((await getApp(d, '/upd/locked')).instances).toBe(2);

    const upper = await d.api('PUT', '/v2/apps/upd/locked?force=TRUE', { instances: 1 });
    expect(upper.status, upper.text).toBe(200);
    expect((await getApp(d, '/upd/locked')).instances).toBe(1);
    const restart = await d.api('POST', '/v2/apps/upd/locked/restart?force=True');
    expect(restart.status, restart.text).toBe(200);

    // Deleting forces by default.
    expect((await d.api('DELETE', '/v2/apps/upd/locked')).status).toBe(200);
    await waitFor(async () => (await appTasks(d, '/upd/locked').catch(() => [])).length === 0, { what: 'locked app gone' });
    await waitNoDeployments(d);
  });
});
