/** Health checks against real task processes: HTTP, TCP, COMMAND, kills of unhealthy tasks, grace. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { createApp, getApp, openEvents, sandboxOf, sleeper, waitRunning, webApp, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function results(id: string): Promise<Json[]> {
  const app = await getApp(d, id);
  return app.tasks.map((t: Json) => ({ id: t.id, results: t.healthCheckResults }));
}

describe('health checks', () => {
  it('HTTP: a server answering 200 makes the task healthy, with Marathon result fields', async () => {
    await createApp(d, webApp('/health/http'));
    const [task] = await waitRunning(d, '/health/http', 1, { healthy: true });
    const app = await getApp(d, '/health/http');
    expect(app).toMatchObject({ tasksHealthy: 1, tasksUnhealthy: 0, tasksRunning: 1 });
    expect(task.healthCheckResults).toHaveLength(1);
    const r = task.healthCheckResults[0];
    expect(r).toMatchObject({ alive: true, consecutiveFailures: 0, lastFailureCause: null, instanceId: task.id });
    expect(r.firstSuccess).toMatch(ISO);
    expect(r.lastSuccess).toMatch(ISO);
    expect(r).toHaveProperty('lastFailure');
    // Tasks of apps without health checks carry no results.
    await createApp(d, sleeper('/health/none'));
    const [plain] = await waitRunning(d, '/health/none', 1);
    expect(plain.healthCheckResults).toBeUndefined();
    expect((await getApp(d, '/health/none')).tasksHealthy).toBe(0);
  });

  it('HTTP: a server answering 500 is unhealthy, killed after maxConsecutiveFailures and replaced', async () => {
    const events = await openEvents(d, '?event_type=unhealthy_instance_kill_event');
    try {
      await createApp(d, webApp('/health/failing', { env: { HC_STATUS: '500' } }, { gracePeriodSeconds: 0, maxConsecutiveFailures: 2 }));
      const first = await waitFor(
        async () => (await results('/health/failing')).find((t) => t.results?.[0]?.consecutiveFailures >= 1),
        { what: 'a counted failure' },
      );
      expect(first.results[0]).toMatchObject({ alive: false });
      expect(first.results[0].lastFailure).toMatch(ISO);
      expect(first.results[0].lastFailureCause).toMatch(/500|refused/);
      await waitFor(async () => (await getApp(d, '/health/failing')).tasksUnhealthy === 1, { what: 'tasksUnhealthy = 1' });
      const kill = await events.waitFor((e) => e.data.taskId === first.id, 'unhealthy_instance_kill_event', 8000);
      expect(kill.data).toMatchObject({ appId: '/health/failing', taskId: first.id });
      expect(kill.data.reason).toMatch(/500/);
      const replacement = await waitFor(
        async () => (await getApp(d, '/health/failing')).tasks.find((t: Json) => t.id !== first.id && t.state === 'TASK_RUNNING'),
        { what: 'a replacement task' },
      );
      expect(replacement.id).not.toBe(first.id);
      expect((await getApp(d, '/health/failing')).tasks.map((t: Json) => t.id)).not.toContain(first.id);
      expect(d.taskProcesses().filter((p) => p.taskId === first.id)).toEqual([]);
    } finally {
      await events.close();
      await d.api('DELETE', '/v2/apps/health/failing');
    }
  });

  it('TCP: a listening port is healthy, a closed one is not', async () => {
    await createApp(d, webApp('/health/tcp', {}, { protocol: 'TCP', path: undefined }));
    await waitRunning(d, '/health/tcp', 1, { healthy: true });
    await createApp(d, sleeper('/health/tcp-closed', { healthChecks: [{ protocol: 'TCP', intervalSeconds: 1, gracePeriodSeconds: 0, maxConsecutiveFailures: 0 }] }));
    const closed = await waitFor(async () => (await results('/health/tcp-closed')).find((t) => t.results?.[0]?.consecutiveFailures >= 1), { what: 'a TCP failure' });
    expect(closed.results[0].alive).toBe(false);
    expect(closed.results[0].lastFailureCause).toMatch(/refused/);
    expect((await getApp(d, '/health/tcp-closed')).tasksHealthy).toBe(0);
  });

  it('COMMAND: runs in the task sandbox with its environment; exit 0 is healthy', async () => {
    await createApp(
      d,
      sleeper('/health/cmd', {
        cmd: 'sleep 1 && touch ready && sleep 1000',
        healthChecks: [{ protocol: 'COMMAND', command: { value: 'test -f "$MESOS_SANDBOX/ready" && test -f ready' }, intervalSeconds: 1, gracePeriodSeconds: 10 }],
      }),
    );
    await waitRunning(d, '/health/cmd', 1, { healthy: true });
    await createApp(
      d,
      sleeper('/health/cmd-bad', {
        healthChecks: [{ protocol: 'COMMAND', command: { value: 'echo broken >&2; exit 3' }, intervalSeconds: 1, gracePeriodSeconds: 0, maxConsecutiveFailures: 0 }],
      }),
    );
    const bad = await waitFor(async () => (await results('/health/cmd-bad')).find((t) => t.results?.[0]?.consecutiveFailures >= 2), { what: 'two command failures' });
    expect(bad.results[0].alive).toBe(false);
    expect(bad.results[0].lastFailureCause).toMatch(/3/);
    expect(bad.results[0].lastFailureCause).toContain('broken');
    // maxConsecutiveFailures 0: never killed.
    expect((await getApp(d, '/health/cmd-bad')).tasks.map((t: Json) => t.id)).toEqual([bad.id]);
  });

  it('two checks: alive means every check alive, and health_status_changed_event comes only on a change', { timeout: 180_000 }, async () => {
    const events = await openEvents(d, '?event_type=health_status_changed_event');
    const failures = await openEvents(d, '?event_type=failed_health_check_event');
    try {
      // Generous bounds (each wait ends as soon as its event comes): under load a probe a second
      // and the SSE stream may lag well behind the file change that flips the check.
      const WAIT_MS = 30_000;
      const check = (value: string) => ({ protocol: 'COMMAND', command: { value }, intervalSeconds: 1, gracePeriodSeconds: 0, maxConsecutiveFailures: 0 });
      await createApp(d, sleeper('/health/two', { healthChecks: [check('true'), check('test -f ok')] }));
      const taskResults = async (id: string) => (await results('/health/two')).find((t) => t.id === id)?.results ?? [];
      const mixed = await waitFor(
        async () => (await results('/health/two')).find((t) => t.results?.[0]?.alive && t.results?.[1]?.consecutiveFailures >= 3),
        { what: 'three failures of the second check while the first passes', timeoutMs: WAIT_MS },
      );
      const ofTask = () => events.events.filter((e) => e.data.taskId === mixed.id).map((e) => e.data.alive);
      // Never alive as a whole, so nothing changed: no event (it was repeated on every probe).
      expect(ofTask()).toEqual([]);
      expect((await getApp(d, '/health/two')).tasksUnhealthy).toBe(1);
      // Each counted failure is reported once, naming the failing check.
      const failed = failures.events.filter((e) => e.data.taskId === mixed.id);
      expect(failed.length).toBeGreaterThanOrEqual(3);
      expect(failed.every((e) => e.data.healthCheck.command.value === 'test -f ok')).toBe(true);

      // The second check passes from now on: one event (alive), however many probes follow.
      const sandbox = await sandboxOf(d, mixed.id);
      writeFileSync(join(sandbox, 'ok'), '');
      const up = await events.waitFor((e) => e.data.taskId === mixed.id && e.data.alive === true, 'the task becoming alive', WAIT_MS);
      const upAt = Date.parse(up.data.timestamp);
      await waitFor(async () => (await taskResults(mixed.id)).every((r: Json) => Date.parse(r.lastSuccess) > upAt + 2000), {
        what: 'two more seconds of passing probes',
        timeoutMs: WAIT_MS,
      });
      expect(ofTask()).toEqual([true]);

      // And failing again: one more event (not alive).
      rmSync(join(sandbox, 'ok'));
      await events.waitFor((e) => e.data.taskId === mixed.id && e.data.alive === false, 'the task becoming unhealthy', WAIT_MS);
      await waitFor(async () => (await taskResults(mixed.id))[1]?.consecutiveFailures >= 3, { what: 'three more failures', timeoutMs: WAIT_MS });
      expect(ofTask()).toEqual([true, false]);
    } finally {
      await events.close();
      await failures.close();
      await d.api('DELETE', '/v2/apps/health/two');
    }
  });

  it('failures within gracePeriodSeconds are not counted', async () => {
    const events = await openEvents(d, '?event_type=unhealthy_instance_kill_event');
    try {
      await createApp(d, sleeper('/health/grace', { healthChecks: [{ protocol: 'TCP', intervalSeconds: 1, gracePeriodSeconds: 3, maxConsecutiveFailures: 1 }] }));
      const task = await waitFor(async () => (await getApp(d, '/health/grace')).tasks.find((t: Json) => t.state === 'TASK_RUNNING'), { what: 'a running task' });
      const startedAt = Date.parse(task.startedAt);
      // Probes run every second; within the grace period none of their failures counts.
      while (Date.now() < startedAt + 2500) {
        const [t] = (await getApp(d, '/health/grace')).tasks;
        expect(t.id).toBe(task.id);
        for (const r of t.healthCheckResults ?? []) {
          expect(r.consecutiveFailures).toBe(0);
          expect(r.lastFailure).toBeNull();
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const counted = await waitFor(
        async () => (await results('/health/grace')).find((t) => t.id === task.id && t.results?.[0]?.consecutiveFailures >= 1),
        { what: 'a counted failure after the grace period', timeoutMs: 5000 },
      );
      expect(Date.parse(counted.results[0].lastFailure)).toBeGreaterThanOrEqual(startedAt + 3000);
      const kill = await events.waitFor((e) => e.data.taskId === task.id, 'the kill after the grace period', 8000);
      expect(Date.parse(kill.data.timestamp) - startedAt).toBeGreaterThanOrEqual(3000);
    } finally {
      await events.close();
      await d.api('DELETE', '/v2/apps/health/grace');
    }
  });
});
