/** `/v2/deployments`: the list, rollback (DELETE) and stop (DELETE ?force=true). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, sleeper, waitRunning, type Json } from './support.js';

let d: TestDaemon;
// One cpu: three instances of 0.4 cpus cannot all be placed, so a scale to 3 stays in progress.
beforeAll(async () => {
  d = await startDaemon({ env: { DCOS_NODE_CPUS: '1' } });
});
afterAll(stopAllDaemons);

async function deployments(): Promise<Json[]> {
  const res = await d.api('GET', '/v2/deployments');
  expect(res.status).toBe(200);
  return res.json;
}

describe('/v2/deployments', () => {
  it('lists a running deployment with Marathon fields', async () => {
    // Never healthy: the creation deployment waits forever in its scale step.
    const created = await createApp(
      d,
      sleeper('/dep/shape', { healthChecks: [{ protocol: 'TCP', intervalSeconds: 1, gracePeriodSeconds: 300, maxConsecutiveFailures: 0 }] }),
    );
    const id = created.deployments[0].id;
    const dep = await waitFor(async () => (await deployments()).find((x) => x.id === id && x.currentStep === 2), { what: 'the deployment at step 2' });
    expect(dep).toEqual({
      id,
      version: created.version,
      affectedApps: ['/dep/shape'],
      affectedPods: [],
      steps: [{ actions: [{ action: 'StartApplication', app: '/dep/shape' }] }, { actions: [{ action: 'ScaleApplication', app: '/dep/shape' }] }],
      currentActions: [{ action: 'ScaleApplication', app: '/dep/shape', readinessCheckResults: [] }],
      currentStep: 2,
      totalSteps: 2,
    });
    const restart = await d.api('POST', '/v2/apps/dep/shape/restart?force=true');
    const restartDep = (await deployments()).find((x) => x.id === restart.json.deploymentId);
    expect(restartDep.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: '/dep/shape' }] }]);
    expect(restartDep.totalSteps).toBe(1);
    expect((await deployments()).map((x) => x.id)).not.toContain(id); // forced away
    await d.api('DELETE', '/v2/apps/dep/shape');
    await waitFor(async () => (await deployments()).every((x) => !x.affectedApps.includes('/dep/shape')), { what: 'no deployment of /dep/shape' });
  });

  it('DELETE rolls back: a scale 1 -> 3 stuck on an unplaceable instance returns to 1', async () => {
    await createApp(d, sleeper('/dep/rollback', { cpus: 0.4 }));
    const [original] = await waitRunning(d, '/dep/rollback', 1);
    const scale = await d.api('PUT', '/v2/apps/dep/rollback', { instances: 3 });
    expect(scale.status).toBe(200);
    const depId = scale.json.deploymentId;
    await waitFor(async () => (await getApp(d, '/dep/rollback')).tasksRunning === 2, { what: 'two of three instances running' });
    expect((await deployments()).map((x) => x.id)).toContain(depId);

    const res = await d.api('DELETE', `/v2/deployments/${depId}`);
    expect(res.status, res.text).toBe(200);
    expect(res.json.deploymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json.deploymentId).not.toBe(depId);
    expect(typeof res.json.version).toBe('string');
    expect(res.headers.get('marathon-deployment-id')).toBe(res.json.deploymentId);

    const tasks = await waitRunning(d, '/dep/rollback', 1);
    expect((await getApp(d, '/dep/rollback')).instances).toBe(1);
    expect(tasks[0].id).toBe(original.id); // the scale-down kills the newest
    expect((await deployments()).map((x) => x.id)).not.toContain(depId);
    const queue = (await d.api('GET', '/v2/queue')).json.queue;
    expect(queue.filter((q: Json) => q.app.id === '/dep/rollback')).toEqual([]);
    await d.api('DELETE', '/v2/apps/dep/rollback');
    await waitFor(async () => (await d.api('GET', '/v2/tasks')).json.tasks.every((t: Json) => t.appId !== '/dep/rollback'), { what: 'its tasks gone (cpus free again)' });
  });

  it('DELETE rolls back a creation: the app is removed', async () => {
    const created = await createApp(d, sleeper('/dep/created', { cpus: 5 }));
    const res = await d.api('DELETE', `/v2/deployments/${created.deployments[0].id}`);
    expect(res.status, res.text).toBe(200);
    await waitFor(async () => (await d.api('GET', '/v2/apps/dep/created')).status === 404, { what: 'the created app removed' });
    await waitFor(async () => (await deployments()).every((x) => !x.affectedApps.includes('/dep/created')), { what: 'its deployments gone' });
  });

  it('DELETE ?force=true stops the deployment without reverting anything (202, no body)', async () => {
    await createApp(d, sleeper('/dep/forced', { cpus: 0.4 }));
    await waitRunning(d, '/dep/forced', 1);
    const scale = await d.api('PUT', '/v2/apps/dep/forced', { instances: 3 });
    const depId = scale.json.deploymentId;
    await waitFor(async () => (await getApp(d, '/dep/forced')).tasksRunning === 2, { what: 'two of three instances running' });
    const res = await d.api('DELETE', `/v2/deployments/${depId}?force=true`);
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect((await deployments()).map((x) => x.id)).not.toContain(depId);
    const app = await getApp(d, '/dep/forced');
    expect(app.instances).toBe(3);
    expect(app.deployments).toEqual([]);
    // Still wanting 3: two run, the third waits in the queue.
    expect((await appTasks(d, '/dep/forced')).filter((t: Json) => t.state === 'TASK_RUNNING')).toHaveLength(2);
    const queued = await waitFor(
      async () => (await d.api('GET', '/v2/queue')).json.queue.find((q: Json) => q.app.id === '/dep/forced'),
      { what: '/dep/forced in the queue' },
    );
    expect(queued.count).toBe(1);
    await d.api('DELETE', '/v2/apps/dep/forced');
  });

  it('404 for an unknown deployment', async () => {
    for (const path of ['/v2/deployments/nope', '/v2/deployments/nope?force=true']) {
      const res = await d.api('DELETE', path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ message: 'DeploymentPlan nope does not exist' });
    }
  });
});
