/** `dcos cluster ...` against the real daemon (spawned from dist/), through the command tree in-process. */
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';

describe('dcos cluster', () => {
  let home: TempHome;
  const dcos = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { env: { ...home.env, ...env }, cwd: home.dir });

  /** A stopped cluster's status is a failure: exit 1, nothing on stdout, the error on stderr. */
  const expectStopped = async () => {
    const r = await dcos(['cluster', 'status', '--json']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'ECLUSTER_DOWN', message: 'The local cluster [local] is not running', hint: 'Start it with: dcos cluster up' });
    const plain = await dcos(['cluster', 'status']);
    expect(plain.exitCode).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain('Error: The local cluster [local] is not running');
  };  beforeAll(() => {
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
    await expectStopped();
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
    await expectStopped();
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

  it('says at once that the attached local cluster is stopped when autostart is off', async () => {
    await dcos(['cluster', 'up']);
    await dcos(['cluster', 'down']);
    const r = await dcos(['package', 'list'], { DCOS_CLUSTER_AUTOSTART: 'false' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    // Decided from the daemon's pid file, without trying (and retrying) a refused connection.
    expect(r.stderr).toContain('Error: The local cluster [local] is not running: start it with dcos cluster up');
    expect(r.stderr).not.toMatch(/refused|Cannot reach/i);
  });

  it('lets DCOS_URL name the cluster even when a stopped local one is attached', async () => {
    await dcos(['cluster', 'up']);
    await dcos(['cluster', 'down']);
    const r = await dcos(['marathon', 'about'], { DCOS_URL: 'http://127.0.0.1:9' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Cannot reach the cluster at http://127.0.0.1:9');
    expect(r.stderr).not.toContain('Started the local cluster');
    await expectStopped();
  });

  it('says when the token file is gone, how to recover, and the recovery works', async () => {
    const info = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    rmSync(join(info.dataDir, 'token'));
    const message = `Cluster [local] is running, but its token cannot be read: ${join(info.dataDir, 'token')} is missing`;
    const hint = '"dcos cluster down" stops the daemon (its tasks keep running), then "dcos cluster up"';
    const status = await dcos(['cluster', 'status']);
    expect(status.exitCode, status.stderr).toBe(1);
    expect(status.stdout).toBe('');
    expect(status.stderr).toContain(message);
    expect(status.stderr).toContain(hint);
    expect(status.stderr).not.toContain('unresponsive');
    const json = await dcos(['cluster', 'status', '--json']);
    expect(json.exitCode).toBe(1);
    expect(json.stdout).toBe('');
    const { error } = JSON.parse(json.stderr);
    expect(error).toMatchObject({ code: 'ECLUSTER_TOKEN', message });
    expect(error.hint).toContain(hint);
    expect((await dcos(['cluster', 'list'])).stdout).toMatch(/^\*\s+local\s+local\s+TOKEN-UNREADABLE\s/m);
    const up = await dcos(['cluster', 'up']);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toContain('its token cannot be read');

    const down = await dcos(['cluster', 'down']);
    expect(down.exitCode, down.stderr).toBe(0);
    const again = await dcos(['cluster', 'up', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const healthy = await dcos(['cluster', 'status', '--json']);
    expect(healthy.exitCode, healthy.stderr).toBe(0);
    expect(JSON.parse(healthy.stdout).health).toBe('running');
    expect((await dcos(['marathon', 'about'])).exitCode).toBe(0);
  });

  it('says when the token file is empty, and a restart of the daemon writes a new one', { timeout: 60_000 }, async () => {
    const info = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    const tokenFile = join(info.dataDir, 'token');
    const old = readFileSync(tokenFile, 'utf8').trim();
    writeFileSync(tokenFile, '');
    const status = await dcos(['cluster', 'status', '--json']);
    expect(status.exitCode).toBe(1);
    const { error } = JSON.parse(status.stderr);
    expect(error).toMatchObject({ code: 'ECLUSTER_TOKEN', message: `Cluster [local] is running, but its token cannot be read: ${tokenFile} is empty` });
    expect(error.hint).toContain('"dcos cluster down" stops the daemon (its tasks keep running), then "dcos cluster up"');

    expect((await dcos(['cluster', 'down'])).exitCode).toBe(0);
    const up = await dcos(['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(token).not.toBe(old);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect((await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout.trim()).toBe(token);
    const about = await dcos(['marathon', 'about']);
    expect(about.exitCode, about.stderr).toBe(0);
    const apps = await dcos(['marathon', 'app', 'list', '--json']);
    expect(apps.exitCode, apps.stderr).toBe(0);
    expect(JSON.parse(apps.stdout)).toEqual([]);
  });

  it('shows why the daemon refused its data dir, and how to recover', async () => {
    const info = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    await dcos(['cluster', 'down']);
    truncateSync(join(info.dataDir, 'state.db'), 0);
    const up = await dcos(['cluster', 'up']);
    expect(up.exitCode).toBe(1);
    expect(up.stdout).toBe('');
    expect(up.stderr).toContain(`The cluster daemon refused to start: ${join(info.dataDir, 'state.db')} is empty (0 bytes), but this data dir is cluster `);
    expect(up.stderr).toContain(`To recover: if you have a copy of that cluster's state.db, put it back into ${info.dataDir}`);
    expect(up.stderr).not.toMatch(/\n\s+at /);
  });

  it('keeps a pre-existing data dir and its log private', async () => {
    const dataDir = join(home.dir, 'open-dir');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'daemon.log'), 'from before\n', { mode: 0o644 });
    const up = await dcos(['cluster', 'up', '--data-dir', dataDir]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    for (const name of ['daemon.log', 'state.db', 'token', 'daemon.json']) expect((statSync(join(dataDir, name)).mode & 0o777).toString(8), name).toBe('600');
  });

  it('starts a daemon of its own on a copied data dir, even with the original running', async () => {
    const first = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    await dcos(['cluster', 'down']);
    const copyDir = join(home.dir, 'copied');
    cpSync(first.dataDir, copyDir, { recursive: true });
    const original = JSON.parse((await dcos(['cluster', 'up', '--json'])).stdout);
    // Copied while the original ran: its daemon.json and lock name the original's daemon.
    for (const name of ['daemon.json', 'daemon.lock']) copyFileSync(join(original.dataDir, name), join(copyDir, name));
    try {
      const copy = await dcos(['cluster', 'up', '--name', 'copy', '--data-dir', copyDir, '--json']);
      expect(copy.exitCode, copy.stderr).toBe(0);
      const started = JSON.parse(copy.stdout);
      expect(started).toMatchObject({ name: 'copy', started: true });
      expect(started.pid).not.toBe(original.pid);
      expect(started.url).not.toBe(original.url);
    } finally {
      await dcos(['cluster', 'down', '--name', 'copy']);
    }
  });
});
