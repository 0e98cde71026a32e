/** `/v2/queue`: instances that cannot be placed, and why (resources, constraints). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { appTasks, createApp, getApp, sleeper, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon({ env: { DCOS_NODE_CPUS: '1', DCOS_NODE_MEM: '512' } });
});
afterAll(stopAllDaemons);

async function queueEntry(id: string): Promise<Json> {
  return waitFor(
    async () => {
      const res = await d.api('GET', '/v2/queue');
      expect(res.status).toBe(200);
      const entry = res.json.queue.find((q: Json) => q.app.id === id);
      return entry && entry.processedOffersSummary.processedOffersCount > 0 ? entry : undefined;
    },
    { what: `${id} in /v2/queue with a processed offer` },
  );
}

function declined(entry: Json, reason: string): number {
  return entry.processedOffersSummary.rejectSummaryLaunchAttempt.find((s: Json) => s.reason === reason)?.declined ?? 0;
}

describe('/v2/queue', () => {
  it('an app needing more cpus than the node has waits with InsufficientCpus', async () => {
    const created = await createApp(d, sleeper('/queue/big', { cpus: 2 }));
    const entry = await queueEntry('/queue/big');
    expect(entry.count).toBe(1);
    expect(entry.app).toMatchObject({ id: '/queue/big', cpus: 2, version: created.version });
    expect(entry.role).toBe('*');
    expect(entry.delay).toEqual({ timeLeftSeconds: 0, overdue: true });
    expect(typeof entry.since).toBe('string');
    expect(declined(entry, 'InsufficientCpus')).toBeGreaterThan(0);
    expect(declined(entry, 'InsufficientMemory')).toBe(0);
    for (const step of entry.processedOffersSummary.rejectSummaryLaunchAttempt) {
      expect(step).toEqual({ reason: expect.any(String), declined: expect.any(Number), processed: expect.any(Number) });
    }
    expect((await appTasks(d, '/queue/big'))).toEqual([]);
    expect((await getApp(d, '/queue/big')).deployments).toHaveLength(1);

    // Memory is reported under its own reason.
    await createApp(d, sleeper('/queue/mem', { mem: 4096 }));
    expect(declined(await queueEntry('/queue/mem'), 'InsufficientMemory')).toBeGreaterThan(0);

    // Scaling to 0 empties the queue entry.
    expect((await d.api('PUT', '/v2/apps/queue/big?force=true', { instances: 0 })).status).toBe(200);
    await waitFor(async () => !(await d.api('GET', '/v2/queue')).json.queue.some((q: Json) => q.app.id === '/queue/big'), { what: '/queue/big out of the queue' });
    await d.api('DELETE', '/v2/apps/queue/mem');
  });

  it('["hostname","UNIQUE"] with 2 instances runs one and queues one with UnfulfilledConstraint', async () => {
    await createApp(d, sleeper('/queue/unique', { instances: 2, constraints: [['hostname', 'UNIQUE']] }));
    const entry = await queueEntry('/queue/unique');
    expect(entry.count).toBe(1);
    expect(declined(entry, 'UnfulfilledConstraint')).toBeGreaterThan(0);
    expect(declined(entry, 'InsufficientCpus')).toBe(0);
    await waitFor(async () => (await getApp(d, '/queue/unique')).tasksRunning === 1, { what: 'one instance running' });
    // And it stays at one.
    await new Promise((r) => setTimeout(r, 300));
    expect((await appTasks(d, '/queue/unique'))).toHaveLength(1);
  });
});
