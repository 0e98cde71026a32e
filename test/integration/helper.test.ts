/** The test helper itself: a process of the daemon's agent left after shutdown is found, killed and reported. */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAlive, startDaemon, stopAllDaemons, waitFor } from '../helpers/daemon.js';

describe('test helper', () => {
  it('stop() fails when a task process of the daemon survives the shutdown, and kills it', async () => {
    const d = await startDaemon();
    // Not a task the daemon knows: its shutdown cannot stop it, so it is a leak.
    const stray = spawn('sleep', ['300'], { env: { ...process.env, DCOS_AGENT_ID: d.agentId, MESOS_TASK_ID: 'leak.1' }, detached: true, stdio: 'ignore' });
    stray.unref();
    const pid = stray.pid as number;
    await waitFor(() => d.taskProcesses().some((p) => p.pid === pid), { what: 'the stray process visible' });
    await expect(d.stop()).rejects.toThrow(/task processes left after shutdown: .*leak\.1/);
    await waitFor(() => !isAlive(pid), { what: 'the stray process killed by the helper' });
    expect(d.running).toBe(false);
    // A failed stop keeps the directory (and the daemon log) for inspection; this one was expected.
    expect(existsSync(`${d.tmpDir}/daemon.log`)).toBe(true);
    rmSync(d.tmpDir, { recursive: true, force: true });
    await stopAllDaemons(); // nothing left to stop
  });

  it('startDaemon gives each daemon its own data dir, token and agent', async () => {
    const [a, b] = await Promise.all([startDaemon(), startDaemon()]);
    try {
      expect(a.dataDir).not.toBe(b.dataDir);
      expect(a.token).not.toBe(b.token);
      expect(a.agentId).not.toBe(b.agentId);
      expect((await a.api('GET', '/v2/apps', undefined, { authorization: `token=${b.token}` })).status).toBe(401);
    } finally {
      await stopAllDaemons();
    }
  });
});
