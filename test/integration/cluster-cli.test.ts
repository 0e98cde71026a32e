/** `dcos cluster ...` against the real daemon (spawned from dist/), through the command tree in-process. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';

describe('dcos cluster', () => {
  let home: TempHome;
  const dcos = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { env: { ...home.env, ...env }, cwd: home.dir });
  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/daemon/main.js is missing: run "npm run build" first');
  });
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('starts the local cluster, attaches it, and reports its status', async () => {
    const up = await dcos(['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout);
    expect(info).toMatchObject({ name: 'local', started: true });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(up.stderr).toContain('Stop it with: dcos cluster down');

    expect((await dcos(['config', 'show', 'core.dcos_url'])).stdout.trim()).toBe(info.url);
    const token = (await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout.trim();
    expect(token).toBe(readFileSync(join(info.dataDir, 'token'), 'utf8').trim());
    expect(statSync(join(info.dataDir, 'token')).mode & 0o777).toBe(0o600);

    // A script with curl-like calls reaches the API with that URL and token, and not without it.
    const ok = await fetch(`${info.url}/service/marathon/v2/info`, { headers: { authorization: `token=${token}` } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${info.url}/v2/info`)).status).toBe(401);

    const status = await dcos(['cluster', 'status', '--json']);
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: 'local', kind: 'local', health: 'running', url: info.url, dataDir: info.dataDir, pid: info.pid, attached: true });

    const list = await dcos(['cluster', 'list']);
    expect(list.stdout).toMatch(/^\*\s+local\s+local\s+RUNNING\s+http:\/\/127\.0\.0\.1:\d+$/m);
  });

  it('does not start a second daemon on the same data dir', async () => {
    const first = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    const [a, b] = await Promise.all([dcos(['cluster', 'up', '--json']), dcos(['cluster', 'up', '--json'])]);
    for (const r of [a, b]) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ pid: first.pid, started: false });
    }
    expect(a.stderr).toContain('already running');
  });

  it('starts again over a stale pid and lock left by a crash, on the same port', async () => {
    const first = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    process.kill(first.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(join(first.dataDir, 'daemon.lock'))).toBe(true);
    expect(JSON.parse((await dcos(['cluster', 'status', '--json'])).stdout).health).toBe('stopped');
    const again = await dcos(['cluster', 'up', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.pid).not.toBe(first.pid);
    expect(second.url).toBe(first.url);
  });

  it('stops the cluster and its tasks', async () => {
    const info = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    const token = readFileSync(join(info.dataDir, 'token'), 'utf8').trim();
    const post = await fetch(`${info.url}/v2/apps`, {
      method: 'POST',
      headers: { authorization: `token=${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: '/sleeper', cmd: 'trap "exit 0" TERM; while true; do sleep 0.1; done', cpus: 0.01, mem: 8, portDefinitions: [] }),
    });
    expect(post.status).toBe(201);
    let pid: number | undefined;
    for (let i = 0; i < 100 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const state = (await (await fetch(`${info.url}/v2/apps/sleeper/tasks`, { headers: { authorization: `token=${token}` } })).json()) as { tasks: Array<{ state: string }> };
      if (state.tasks[0]?.state === 'TASK_RUNNING') pid = 1;
    }
    expect(pid).toBe(1);
    const down = await dcos(['cluster', 'down']);
    expect(down.exitCode).toBe(0);
    expect(down.stderr).toContain('Cluster [local] stopped');
    expect(JSON.parse((await dcos(['cluster', 'status', '--json'])).stdout).health).toBe('stopped');
    const left = await dcos(['cluster', 'down']);
    expect(left.stderr).toContain('was not running');
  });

  it('starts the local cluster on first use, saying so, unless autostart is off', async () => {
    const off = await dcos(['marathon', 'about'], { DCOS_CLUSTER_AUTOSTART: 'false' });
    expect(off.exitCode).toBe(1);
    expect(off.stderr).toContain('No cluster is attached');
    const on = await dcos(['marathon', 'about']);
    expect(on.exitCode, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout).name).toBe('marathon');
    expect(on.stderr.trim().split('\n')).toHaveLength(1);
    expect(on.stderr).toMatch(/^Started the local cluster \[local\] at http:\/\/127\.0\.0\.1:\d+ \(stop it with: dcos cluster down\)$/m);
    const again = await dcos(['marathon', 'about']);
    expect(again.stderr).toBe('');
  });

  it('attaches and removes clusters by name, refusing unknown and running ones', async () => {
    await dcos(['cluster', 'up', '--name', 'dev']);
    const unknown = await dcos(['cluster', 'attach', 'prod']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('No cluster named [prod]');
    const running = await dcos(['cluster', 'remove', 'dev']);
    expect(running.stderr).toContain('is running');
    await dcos(['cluster', 'down', '--name', 'dev']);
    const stopped = await dcos(['cluster', 'attach', 'dev']);
    expect(stopped.stderr).toContain('is not running');
    const removed = await dcos(['cluster', 'remove', 'dev']);
    expect(removed.exitCode).toBe(0);
    expect(removed.stderr).toMatch(/^Removed cluster \[dev\] from the list; its data dir \S+ is kept/);
    expect(JSON.parse((await dcos(['cluster', 'list', '--json'])).stdout)).toEqual([]);
    expect((await dcos(['config', 'show', 'core.dcos_url'])).exitCode).toBe(1);
  });

  it('takes another port when the remembered one is taken, but fails plainly on an explicit --port', async () => {
    const { createServer } = await import('node:net');
    const first = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    await dcos(['cluster', 'down']);
    const port = Number(new URL(first.url).port);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const again = await dcos(['cluster', 'up', '--json']);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).url).not.toBe(first.url);
      await dcos(['cluster', 'down']);
      const explicit = await dcos(['cluster', 'up', '--port', String(port)]);
      expect(explicit.exitCode).toBe(1);
      expect(explicit.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(explicit.stderr).not.toMatch(/\n\s+at /);
    } finally {
      squatter.close();
    }
  });

  it('lets DCOS_URL name the cluster even when a stopped local one is attached', async () => {
    await dcos(['cluster', 'up']);
    await dcos(['cluster', 'down']);
    const r = await dcos(['marathon', 'about'], { DCOS_URL: 'http://127.0.0.1:9' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Cannot reach the cluster at http://127.0.0.1:9');
    expect(r.stderr).not.toContain('Started the local cluster');
    expect(JSON.parse((await dcos(['cluster', 'status', '--json'])).stdout).health).toBe('stopped');
  });
});
