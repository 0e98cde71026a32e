/** `/v2/info`, `/v2/leader`, `/ping`, `/v2/groups`, `/v2/events`, and the DC/OS path layout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
import { createApp, openEvents, sleeper, waitNoDeployments, waitRunning, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

describe('server info', () => {
  it('/v2/info and /v2/leader name this daemon as the elected leader', async () => {
    const port = new URL(d.url).port;
    const info = await d.api('GET', '/v2/info');
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ name: 'marathon', elected: true, leader: `127.0.0.1:${port}` });
    expect(info.json.version).toMatch(/^1\.\d+\.\d+/);
    expect(typeof info.json.frameworkId).toBe('string');
    expect(info.json.marathon_config).toMatchObject({ local_port_min: 10000, framework_name: 'marathon' });
    expect(info.json.http_config.http_port).toBe(Number(port));
    const state = await d.api('GET', '/mesos/master/state.json');
    expect(state.json.frameworks[0].id).toBe(info.json.frameworkId);
    const leader = await d.api('GET', '/v2/leader');
    expect(leader.json).toEqual({ leader: `127.0.0.1:${port}` });
  });

  it('/ping answers pong as text (JSON when asked)', async () => {
    const text = await d.api('GET', '/ping', undefined, { accept: '*/*' });
    expect(text.status).toBe(200);
    expect(text.text).toBe('pong');
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    const json = await d.api('GET', '/ping', undefined, { accept: 'application/json' });
    expect(json.json).toBe('pong');
  });

  it('unknown routes are 404 with a message', async () => {
    const res = await d.api('GET', '/v2/nothing-here');
    expect(res.status).toBe(404);
    expect(typeof res.json.message).toBe('string');
  });
});

describe('/v2/groups', () => {
  it('shows apps of nested groups in the tree', async () => {
    await createApp(d, sleeper('/prod/web/frontend', { instances: 0 }));
    await createApp(d, sleeper('/prod/db/mysql', { instances: 0 }));
    await createApp(d, sleeper('/prod/api', { instances: 0 }));
    await createApp(d, sleeper('/top', { instances: 0 }));
    await waitNoDeployments(d);
    const res = await d.api('GET', '/v2/groups');
    expect(res.status).toBe(200);
    const root = res.json;
    expect(root).toMatchObject({ id: '/', pods: [], dependencies: [] });
    expect(root.apps.map((a: Json) => a.id)).toEqual(['/top']);
    const prod = root.groups.find((g: Json) => g.id === '/prod');
    expect(prod.apps.map((a: Json) => a.id)).toEqual(['/prod/api']);
    expect(prod.groups.map((g: Json) => g.id).sort()).toEqual(['/prod/db', '/prod/web']);
    const web = prod.groups.find((g: Json) => g.id === '/prod/web');
    expect(web.apps.map((a: Json) => a.id)).toEqual(['/prod/web/frontend']);
    expect(web.apps[0]).toHaveProperty('tasksRunning', 0);

    const sub = await d.api('GET', '/v2/groups/prod/db');
    expect(sub.status).toBe(200);
    expect(sub.json.id).toBe('/prod/db');
    expect(sub.json.apps.map((a: Json) => a.id)).toEqual(['/prod/db/mysql']);
    const missing = await d.api('GET', '/v2/groups/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: "Group '/nope' does not exist" });
  });
});

describe('/v2/events', () => {
  it('answers 405, as Marathon does, to a client that does not accept an event stream', async () => {
    const r = await d.api('GET', '/v2/events', undefined, { accept: 'application/json' });
    expect(r.status).toBe(405);
  });

  it('streams event_stream_attached first, then deployment_info, status_update_event and deployment_success of an app creation', async () => {
    const stream = await openEvents(d);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      const attached = await stream.waitFor(() => true, 'first event');
      expect(attached.event).toBe('event_stream_attached');
      expect(attached.data).toMatchObject({ eventType: 'event_stream_attached' });
      expect(typeof attached.data.timestamp).toBe('string');

      const created = await createApp(d, sleeper('/events/app'));
      const depId = created.deployments[0].id;
      const info = await stream.waitFor((e) => e.event === 'deployment_info' && e.data.plan?.id === depId, 'deployment_info');
      expect(info.data.plan.affectedApps).toEqual(['/events/app']);
      expect(info.data).toHaveProperty('currentStep');
      const running = await stream.waitFor(
        (e) => e.event === 'status_update_event' && e.data.appId === '/events/app' && e.data.taskStatus === 'TASK_RUNNING',
        'status_update_event TASK_RUNNING',
      );
      expect(running.data).toMatchObject({ eventType: 'status_update_event', slaveId: d.agentId, host: '127.0.0.1', version: created.version });
      expect(running.data.taskId).toMatch(/^events_app\./);
      const success = await stream.waitFor((e) => e.event === 'deployment_success' && e.data.id === depId, 'deployment_success');
      const order = (e: { receivedAt: number }) => stream.events.indexOf(e as never);
      expect(order(info)).toBeLessThan(order(running));
      expect(order(running)).toBeLessThan(order(success));
      for (const e of stream.events) expect(e.data.eventType).toBe(e.event);
    } finally {
      await stream.close();
    }
  });

  it('filters by event_type and needs Accept: text/event-stream', async () => {
    const stream = await openEvents(d, '?event_type=deployment_success');
    try {
      await createApp(d, sleeper('/events/filtered', { instances: 0 }));
      await stream.waitFor((e) => e.event === 'deployment_success', 'deployment_success');
      expect(stream.events.map((e) => e.event).filter((t) => t !== 'event_stream_attached' && t !== 'deployment_success')).toEqual([]);
    } finally {
      await stream.close();
    }
    const plain = await d.api('GET', '/v2/events', undefined, { accept: 'application/json' });
    expect(plain.status).toBeGreaterThanOrEqual(400);
  });
});

describe('DC/OS layout', () => {
  it('serves the same Marathon API under /service/marathon/', async () => {
    const res = await d.api('POST', '/service/marathon/v2/apps', sleeper('/dcos/app'));
    expect(res.status, res.text).toBe(201);
    await waitRunning(d, '/dcos/app', 1);
    const get = await d.api('GET', '/service/marathon/v2/apps/dcos/app');
    expect(get.status).toBe(200);
    expect(get.json.app.tasks).toHaveLength(1);
    const direct = await d.api('GET', '/v2/apps/dcos/app');
    expect(get.json.app.version).toBe(direct.json.app.version);
    const tasks = await d.api('GET', '/service/marathon/v2/tasks');
    expect(tasks.json.tasks.map((t: Json) => t.id)).toContain(get.json.app.tasks[0].id);
    expect((await d.api('GET', '/service/marathon/v2/deployments')).status).toBe(200);
    expect((await d.api('GET', '/service/marathon/v2/queue')).json).toHaveProperty('queue');
    expect((await d.api('GET', '/service/marathon/v2/groups')).json.id).toBe('/');
    expect((await d.api('GET', '/service/marathon/v2/info')).json.name).toBe('marathon');
    expect((await d.api('GET', '/service/marathon/ping', undefined, { accept: '*/*' })).text).toBe('pong');
    const put = await d.api('PUT', '/service/marathon/v2/apps/dcos/app', { instances: 2 });
    expect(put.status).toBe(200);
    await waitRunning(d, '/dcos/app', 2);
    expect((await d.api('GET', '/service/marathon/v2/apps/dcos/app/versions')).json.versions).toHaveLength(2);
    expect((await d.api('DELETE', '/service/marathon/v2/apps/dcos/app')).status).toBe(200);
    expect((await d.api('GET', '/service/marathon/v2/apps/dcos/app')).status).toBe(404);
  });
});
