/** Launch backoff: a crashing task is relaunched with growing delays, visible in `/v2/queue`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { createApp, getApp, openEvents, type Json, type SseEvent } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

describe('launch backoff', () => {
  it('relaunches a failing task after 1, 2, 4 s; the queue shows the delay; DELETE /v2/queue/{id}/delay resets it', { timeout: 30_000 }, async () => {
    const events = await openEvents(d, '?event_type=status_update_event');
    try {
      await createApp(d, { id: '/crash', cmd: 'echo crashing; exit 1', cpus: 0.01, mem: 16, backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 300 });
      const staged = (): SseEvent[] => events.events.filter((e) => e.data.appId === '/crash' && e.data.taskStatus === 'TASK_STAGING');

      // After the third failure the delay is 4 s: the queue must show it while it runs.
      await waitFor(() => staged().length >= 3, { what: 'three launches', timeoutMs: 10_000 });
      await waitFor(
        () => events.events.filter((e) => e.data.appId === '/crash' && e.data.taskStatus === 'TASK_FAILED').length >= 3,
        { what: 'three failures', timeoutMs: 5000 },
      );
      const entry = await waitFor(
        async () => (await d.api('GET', '/v2/queue')).json.queue.find((q: Json) => q.app.id === '/crash'),
        { what: '/crash in the queue', timeoutMs: 3000 },
      );
      expect(entry.count).toBe(1);
      expect(entry.delay.overdue).toBe(false);
      expect(entry.delay.timeLeftSeconds).toBeGreaterThanOrEqual(1);
      expect(entry.delay.timeLeftSeconds).toBeLessThanOrEqual(4);

      await waitFor(() => staged().length >= 4, { what: 'the fourth launch', timeoutMs: 8000 });
      const times = staged().map((e) => Date.parse(e.data.timestamp));
      const gaps = times.slice(1, 4).map((t, i) => t - times[i]);
      // Delays of 1, 2 and 4 seconds (plus the time each task takes to fail).
      expect(gaps[0]).toBeGreaterThanOrEqual(900);
      expect(gaps[1]).toBeGreaterThanOrEqual(1.5 * gaps[0]);
      expect(gaps[2]).toBeGreaterThanOrEqual(1.5 * gaps[1]);
      expect(gaps[2]).toBeGreaterThanOrEqual(3800);
      expect(gaps[2]).toBeLessThan(6000);
      // Each launch is a new task.
      expect(new Set(staged().map((e) => e.data.taskId)).size).toBe(staged().length);

      const app = await getApp(d, '/crash');
      expect(app.lastTaskFailure).toMatchObject({ appId: '/crash', state: 'TASK_FAILED', host: '127.0.0.1', slaveId: d.agentId, version: app.version });
      expect(app.lastTaskFailure.message).toMatch(/status 1/);
      expect(staged().map((e) => e.data.taskId)).toContain(app.lastTaskFailure.taskId);

      // The fourth failure sets an 8 s delay; resetting it relaunches at once.
      await waitFor(
        () => events.events.filter((e) => e.data.appId === '/crash' && e.data.taskStatus === 'TASK_FAILED').length >= 4,
        { what: 'the fourth failure', timeoutMs: 5000 },
      );
      const delayed = (await d.api('GET', '/v2/queue')).json.queue.find((q: Json) => q.app.id === '/crash');
      expect(delayed.delay.timeLeftSeconds).toBeGreaterThanOrEqual(5);
      const reset = await d.api('DELETE', '/v2/queue/crash/delay');
      expect([200, 204]).toContain(reset.status);
      expect(reset.text).toBe('');
      const resetAt = Date.now();
      await waitFor(() => staged().length >= 5, { what: 'a launch right after the reset', timeoutMs: 3000 });
      expect(staged()[4].receivedAt - resetAt).toBeLessThan(2000);
    } finally {
      await events.close();
    }
    await d.api('DELETE', '/v2/apps/crash');
    const none = await d.api('DELETE', '/v2/queue/crash/delay');
    expect(none.status).toBe(404);
  });
});
