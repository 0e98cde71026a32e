/** `POST /v2/apps`, validation errors, `GET /v2/apps` (filters, embed) and `GET /v2/apps/{id}`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
import { createApp, sleeper, waitRunning, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /v2/apps', () => {
  it('creates an app: 201, Location and Marathon-Deployment-Id, defaults filled, deployments[0].id', async () => {
    const res = await d.api('POST', '/v2/apps', { id: 'create/basic', cmd: 'sleep 1000', cpus: 0.01, mem: 16 });
    expect(res.status, res.text).toBe(201);
    const depId = res.headers.get('marathon-deployment-id');
    expect(depId).toMatch(UUID);
    expect(res.headers.get('location')).toContain('/create/basic');
    const app = res.json;
    // The legacy CLI indexes these without defaults: they must always be there.
    for (const key of ['cmd', 'container', 'args', 'healthChecks', 'deployments', 'tasksRunning', 'tasksHealthy', 'tasksStaged', 'tasksUnhealthy', 'instances', 'mem', 'cpus', 'id']) {
      expect(app, key).toHaveProperty(key);
    }
    expect(app.id).toBe('/create/basic'); // relative ids are resolved against /
    expect(app.cmd).toBe('sleep 1000');
    expect(app.args).toBeNull();
    expect(app.container).toBeNull();
    expect(app.deployments).toEqual([{ id: depId }]);
    expect(app).toMatchObject({ instances: 1, cpus: 0.01, mem: 16, disk: 0, gpus: 0, tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0 });
    expect(app).toMatchObject({
      env: {},
      labels: {},
      healthChecks: [],
      constraints: [],
      requirePorts: false,
      backoffSeconds: 1,
      backoffFactor: 1.15,
      maxLaunchDelaySeconds: 300,
      killSelection: 'YOUNGEST_FIRST',
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
      networks: [{ mode: 'host' }],
    });
    expect(app.portDefinitions).toHaveLength(1);
    expect(app.portDefinitions[0]).toMatchObject({ protocol: 'tcp', name: 'default' });
    expect(app.portDefinitions[0].port).toBeGreaterThanOrEqual(10000);
    expect(app.version).toMatch(ISO);
    expect(app.versionInfo).toEqual({ lastScalingAt: app.version, lastConfigChangeAt: app.version });
    await waitRunning(d, '/create/basic', 1);
  });

  it('an args app has cmd null', async () => {
    const app = await createApp(d, { id: '/create/args', args: ['sleep', '1000'], cpus: 0.01, mem: 16, instances: 0 });
    expect(app.cmd).toBeNull();
    expect(app.args).toEqual(['sleep', '1000']);
  });

  it('409 for an existing id', async () => {
    await createApp(d, sleeper('/create/dup', { instances: 0 }));
    const res = await d.api('POST', '/v2/apps', sleeper('/create/dup'));
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ message: 'An app with id [/create/dup] already exists.' });
  });

  it('422 with details per path for invalid definitions', async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ id: '/Upper', cmd: 'x' }, ['/id']],
      [{ id: '/a/restart', cmd: 'x' }, ['/id']],
      [{ id: '/nocmd', cpus: 0.1 }, ['/']],
      [{ id: '/both', cmd: 'x', args: ['y'] }, ['/']],
      [{ id: '/neg', cmd: 'x', instances: -1, cpus: -1 }, ['/instances', '/cpus']],
      [{ id: '/strategy', cmd: 'x', upgradeStrategy: { minimumHealthCapacity: 2, maximumOverCapacity: 0 } }, ['/upgradeStrategy/minimumHealthCapacity']],
      [{ id: '/hc', cmd: 'x', healthChecks: [{ protocol: 'HTTP', portIndex: 3 }] }, ['/healthChecks(0)']],
    ];
    for (const [body, paths] of cases) {
      const res = await d.api('POST', '/v2/apps', body);
      expect(res.status, `${JSON.stringify(body)} -> ${res.text}`).toBe(422);
      expect(res.json.message).toBe('Object is not valid');
      expect(Array.isArray(res.json.details)).toBe(true);
      const got: string[] = res.json.details.map((x: Json) => x.path);
      for (const p of paths) expect(got.some((g) => g === p || g.startsWith(`${p}/`)), `${p} in ${got.join(',')}`).toBe(true);
      for (const detail of res.json.details) {
        expect(detail.errors.length).toBeGreaterThan(0);
        for (const e of detail.errors) expect(typeof e).toBe('string');
      }
    }
    const noCmd = await d.api('POST', '/v2/apps', { id: '/nocmd', cpus: 0.1 });
    expect(noCmd.json.details.find((x: Json) => x.path === '/').errors.join(' ')).toMatch(/cmd.*args/);
    // Nothing was created by a refused request.
    expect((await d.api('GET', '/v2/apps/nocmd')).status).toBe(404);
  });

  it('400 Invalid JSON with a string details for malformed JSON', async () => {
    const res = await d.api('POST', '/v2/apps', '{"id": "/x", "cmd": ');
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Invalid JSON');
    expect(typeof res.json.details).toBe('string');
    expect(res.json.details.length).toBeGreaterThan(0);
  });
});

describe('GET /v2/apps and /v2/apps/{id}', () => {
  beforeAll(async () => {
    await createApp(d, sleeper('/list/web', { labels: { tier: 'front', team: 'a' }, cmd: 'sleep 1001' }));
    await createApp(d, sleeper('/list/db', { labels: { tier: 'back' }, cmd: 'sleep 1002 # DATABASE' }));
    await createApp(d, sleeper('/other/cache', { instances: 0 }));
    await waitRunning(d, '/list/web', 1);
    await waitRunning(d, '/list/db', 1);
  });

  const ids = async (query: string): Promise<string[]> => {
    const res = await d.api('GET', `/v2/apps${query}`);
    expect(res.status).toBe(200);
    return res.json.apps.map((a: Json) => a.id).filter((id: string) => id.startsWith('/list/') || id.startsWith('/other/'));
  };

  it('lists apps with counts and deployments always, tasks only with embed=apps.tasks', async () => {
    const plain = await d.api('GET', '/v2/apps');
    const web = plain.json.apps.find((a: Json) => a.id === '/list/web');
    expect(web).toMatchObject({ tasksRunning: 1, tasksStaged: 0, deployments: [] });
    expect(web.tasks).toBeUndefined();
    const embedded = await d.api('GET', '/v2/apps?embed=apps.tasks');
    const webE = embedded.json.apps.find((a: Json) => a.id === '/list/web');
    expect(webE.tasks).toHaveLength(1);
    expect(webE.tasks[0]).toMatchObject({ appId: '/list/web', state: 'TASK_RUNNING' });
    expect(webE.tasks[0].id).toMatch(/^list_web\./);
  });

  it('filters by id, cmd and label', async () => {
    expect(await ids('?id=list')).toEqual(['/list/db', '/list/web']);
    expect(await ids('?id=LIST/W')).toEqual(['/list/web']);
    expect(await ids('?cmd=database')).toEqual(['/list/db']);
    expect(await ids('?label=tier')).toEqual(['/list/db', '/list/web']);
    expect(await ids(`?label=${encodeURIComponent('tier==front')}`)).toEqual(['/list/web']);
    expect(await ids(`?label=${encodeURIComponent('tier!=front')}`)).toEqual(['/list/db', '/other/cache']);
    expect(await ids(`?label=${encodeURIComponent('tier in (back,middle)')}`)).toEqual(['/list/db']);
    expect(await ids(`?label=${encodeURIComponent('tier,team==a')}`)).toEqual(['/list/web']);
  });

  it('GET one app embeds its tasks; 404 for an unknown one', async () => {
    const res = await d.api('GET', '/v2/apps/list/web');
    expect(res.status).toBe(200);
    expect(res.json.app.id).toBe('/list/web');
    expect(res.json.app.tasks).toHaveLength(1);
    const missing = await d.api('GET', '/v2/apps/list/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: "App '/list/nope' does not exist" });
  });

  it('GET /v2/apps/{group}/* lists the apps of a group', async () => {
    const res = await d.api('GET', '/v2/apps/list/*');
    expect(res.status).toBe(200);
    expect(res.json['*'].map((a: Json) => a.id).sort()).toEqual(['/list/db', '/list/web']);
  });
});
