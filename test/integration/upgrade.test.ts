/** Rolling upgrades watched sample by sample, and which tasks a scale-down picks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
import { createApp, getApp, HTTP_SERVER_CMD, sleeper, waitRunning, webApp, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

interface Sample {
  total: number;
  healthy: number;
  versions: string[];
}

const isHealthy = (t: Json) => t.state === 'TASK_RUNNING' && (t.healthCheckResults ?? []).length > 0 && t.healthCheckResults.every((r: Json) => r.alive);

/**
 * Changes the app's cmd and samples it every ~100 ms until the deployment is over, checking the
 * upgrade strategy at every sample.
 */
async function watchUpgrade(id: string, n: number, minH: number, maxO: number): Promise<{ samples: Sample[]; newVersion: string }> {
  const minHealthy = Math.ceil(n * minH);
  let capacity = Math.floor(n * (1 + maxO));
  if (minHealthy === capacity) capacity += 1; // Marathon allows one extra instance then
  const res = await d.api('PUT', `/v2/apps${id}`, { cmd: `${HTTP_SERVER_CMD} # upgraded` });
  expect(res.status, res.text).toBe(200);
  const newVersion = res.json.version;
  const samples: Sample[] = [];
  const deadline = Date.now() + 40_000;
  for (;;) {
    const app = (await d.api('GET', `/v2/apps${id}?embed=app.tasks`)).json.app;
    const tasks: Json[] = app.tasks;
    const sample = { total: tasks.length, healthy: tasks.filter(isHealthy).length, versions: tasks.map((t) => t.version) };
    samples.push(sample);
    expect(sample.healthy, `healthy instances at sample ${samples.length}: ${JSON.stringify(sample)}`).toBeGreaterThanOrEqual(minHealthy);
    expect(sample.total, `instances at sample ${samples.length}: ${JSON.stringify(sample)}`).toBeLessThanOrEqual(capacity);
    const done = app.deployments.length === 0 && tasks.length === n && tasks.every((t) => t.version === newVersion && isHealthy(t));
    if (done) break;
    if (Date.now() > deadline) throw new Error(`The upgrade did not finish; last sample ${JSON.stringify(sample)}`);
    await sleep(100);
  }
  return { samples, newVersion };
}

describe('rolling upgrade', () => {
  it('{minimumHealthCapacity: 1, maximumOverCapacity: 0}: never fewer than N healthy, at most N+1 instances', { timeout: 60_000 }, async () => {
    await createApp(d, webApp('/roll/strict', { instances: 3, env: { LISTEN_DELAY_MS: '300' }, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } }));
    const before = await waitRunning(d, '/roll/strict', 3, { healthy: true });
    const { samples, newVersion } = await watchUpgrade('/roll/strict', 3, 1, 0);
    // It really rolled: old and new versions side by side, one surge instance at a time.
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.some((s) => new Set(s.versions).size > 1)).toBe(true);
    expect(samples.some((s) => s.total === 4)).toBe(true);
    const after = (await getApp(d, '/roll/strict')).tasks;
    expect(after.every((t: Json) => t.version === newVersion)).toBe(true);
    expect(after.filter((t: Json) => before.some((b: Json) => b.id === t.id))).toEqual([]);
  });

  it('{minimumHealthCapacity: 0.5, maximumOverCapacity: 0}: at least N/2 healthy, never above N', { timeout: 60_000 }, async () => {
    await createApp(d, webApp('/roll/half', { instances: 4, env: { LISTEN_DELAY_MS: '300' }, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } }));
    await waitRunning(d, '/roll/half', 4, { healthy: true });
    const { samples, newVersion } = await watchUpgrade('/roll/half', 4, 0.5, 0);
    expect(samples.some((s) => new Set(s.versions).size > 1)).toBe(true);
    // Two old instances go at once to make room.
    expect(samples.some((s) => s.healthy < 4)).toBe(true);
    expect((await getApp(d, '/roll/half')).tasks.every((t: Json) => t.version === newVersion)).toBe(true);
  });
});

describe('scale down: killSelection', () => {
  /** Four instances started one after another, so their stagedAt differ. */
  async function fourInstances(id: string, killSelection: string): Promise<Json[]> {
    await createApp(d, sleeper(id, { killSelection }));
    await waitRunning(d, id, 1);
    for (const n of [2, 3, 4]) {
      await sleep(20);
      expect((await d.api('PUT', `/v2/apps${id}`, { instances: n })).status).toBe(200);
      await waitRunning(d, id, n);
    }
    const tasks = (await getApp(d, id)).tasks as Json[];
    return tasks.sort((a, b) => (a.stagedAt < b.stagedAt ? -1 : 1));
  }

  it('YOUNGEST_FIRST kills the two newest tasks', async () => {
    const byAge = await fourInstances('/kill/youngest', 'YOUNGEST_FIRST');
    expect(new Set(byAge.map((t) => t.stagedAt)).size).toBe(4);
    expect((await d.api('PUT', '/v2/apps/kill/youngest', { instances: 2 })).status).toBe(200);
    const left = await waitRunning(d, '/kill/youngest', 2);
    expect(left.map((t: Json) => t.id).sort()).toEqual([byAge[0].id, byAge[1].id].sort());
  });

  it('OLDEST_FIRST kills the two oldest tasks', async () => {
    const byAge = await fourInstances('/kill/oldest', 'OLDEST_FIRST');
    expect((await d.api('PUT', '/v2/apps/kill/oldest', { instances: 2 })).status).toBe(200);
    const left = await waitRunning(d, '/kill/oldest', 2);
    expect(left.map((t: Json) => t.id).sort()).toEqual([byAge[2].id, byAge[3].id].sort());
  });
});
