/** What happens to a task's processes around exits and daemon restarts, and scheduling wake-ups. */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor } from '../helpers/daemon.js';
import { appTasks, createApp, waitRunning, type Json } from './support.js';

/** Live (non-zombie) processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
      if (cmdline.includes(marker) && state !== 'Z') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

afterEach(async () => {
  await stopAllDaemons();
});

describe('task processes', () => {
  it("keeps a task's child in its own session across a daemon SIGKILL and restart", { timeout: 30_000 }, async () => {
    const d = await startDaemon();
    const marker = String(43000 + Math.floor(Math.random() * 900));
    await createApp(d, { id: '/forker', cmd: `setsid sleep ${marker}1 & exec sleep ${marker}2`, cpus: 0.01, mem: 8, portDefinitions: [] });
    await waitRunning(d, '/forker', 1);
    await waitFor(() => processesWith(`sleep ${marker}1`).length === 1, { what: 'the setsid child running' });
    await d.sigkill();
    await d.restart();
    await waitRunning(d, '/forker', 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(processesWith(`sleep ${marker}1`)).toHaveLength(1);
    expect(processesWith(`sleep ${marker}2`)).toHaveLength(1);
    expect((await d.api('DELETE', '/v2/apps/forker')).status).toBe(200);
    await waitFor(() => processesWith(`sleep ${marker}2`).length === 0, { what: 'the task killed' });
    // The child in its own session is not in the task's group; kill it here so nothing leaks.
    for (const pid of processesWith(`sleep ${marker}1`)) process.kill(pid, 'SIGKILL');
  });

  it('kills what a task left running in its group when its main process exits', { timeout: 30_000 }, async () => {
    const d = await startDaemon();
    const marker = String(44000 + Math.floor(Math.random() * 900));
    await createApp(d, { id: '/leaver', cmd: `sleep ${marker} & sleep 1; exit 1`, cpus: 0.01, mem: 8, portDefinitions: [], backoffSeconds: 60 });
    await waitFor(() => processesWith(`sleep ${marker}`).length >= 1, { what: 'the background sleep started' });
    await waitFor(async () => (await d.api('GET', '/v2/apps/leaver')).json.app.lastTaskFailure, { what: 'the task failed', timeoutMs: 10_000 });
    await waitFor(() => processesWith(`sleep ${marker}`).length === 0, { what: "the task's leftover process killed", timeoutMs: 5000 });
  });

  it("gives the tasks of a removed app that app's kill grace period", { timeout: 40_000 }, async () => {
    const d = await startDaemon();
    const marker = String(45000 + Math.floor(Math.random() * 900));
    // Ignores SIGTERM: only the SIGKILL at the end of the grace period stops it.
    await createApp(d, { id: '/graceful', cmd: `trap '' TERM; exec sleep ${marker}`, cpus: 0.01, mem: 8, portDefinitions: [], taskKillGracePeriodSeconds: 8 });
    await waitRunning(d, '/graceful', 1);
    const removedAt = Date.now();
    expect((await d.api('DELETE', '/v2/apps/graceful')).status).toBe(200);
    await waitFor(() => processesWith(`sleep ${marker}`).length === 0, { what: 'the task killed', timeoutMs: 20_000, intervalMs: 50 });
    // Not the 3 s default: the removed app's own 8 s.
    expect(Date.now() - removedAt).toBeGreaterThanOrEqual(7500);
  });

  it("relaunches each app when its own backoff ends, whatever another app's backoff", { timeout: 40_000 }, async () => {
    const d = await startDaemon();
    await createApp(d, { id: '/slow', cmd: 'exit 1', cpus: 0.01, mem: 8, portDefinitions: [], backoffSeconds: 40, backoffFactor: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await createApp(d, { id: '/fast', cmd: 'exit 1', cpus: 0.01, mem: 8, portDefinitions: [], backoffSeconds: 2, backoffFactor: 1 });
    const launches = new Set<string>();
    const deadline = Date.now() + 9000;
    while (Date.now() < deadline) {
      const failure = (await d.api('GET', '/v2/apps/fast')).json.app.lastTaskFailure as Json;
      if (failure) launches.add(failure.taskId);
      for (const t of await appTasks(d, '/fast')) launches.add(t.id);
      await new Promise((r) => setTimeout(r, 100));
    }
    // About one launch every 2 s, not one then a wait for /slow's 40 s.
    expect(launches.size).toBeGreaterThanOrEqual(3);
  });

  it('answers a malformed URL escape with 400', async () => {
    const d = await startDaemon();
    const r = await d.api('GET', '/v2/apps/%ZZ');
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('Malformed URL escape');
  });
});

describe('shutdown with tasks', () => {
  it('launches nothing once a shutdown has begun, even with a scheduling pass already asked for', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 5; round++) {
      const d = await startDaemon();
      await createApp(d, { id: '/busy', cmd: 'exec sleep 1000', instances: 3, cpus: 0.01, mem: 8, portDefinitions: [] });
      const tasks = await waitRunning(d, '/busy', 3);
      // A kill asks for a scheduling pass (to replace the task); the shutdown lands right behind it.
      const kill = d.api('DELETE', `/v2/apps/busy/tasks/${tasks[0].id}`);
      const shutdown = d.api('POST', '/dcos-local/shutdown?stopTasks=true');
      expect((await Promise.all([kill, shutdown]))[1].status).toBe(202);
      // A second shutdown (stop()'s) would race the closing server: wait for this one to finish.
      await d.waitFor(() => !d.running, { what: 'the daemon to exit after its shutdown', timeoutMs: 20_000 });
      // No task process of this daemon may be left (a health probe may trail it by a moment).
      await d.waitFor(() => d.taskProcesses().length === 0, { what: 'no task process left by the daemon', timeoutMs: 3000 });
      // stop() then starts a daemon on the same data dir, which must find nothing to stop either.
      await d.stop();
    }
  });
});
