/**
 * The user's day on the real embedded cluster: install, reach, list, scale, update (rolling, never
 * zero healthy), uninstall leaving no process; and failures reported with their reason and exit code.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingReposHome, REPO_ROOT, runCli, type TempHome } from '../helpers/index.js';
import { processesOfAgent } from '../helpers/daemon.js';


describe('packages on the embedded cluster', () => {
  let home: TempHome;
  let url = '';
  let token = '';
  let agentId = '';
  const dcos = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { env: { ...home.env, ...env }, cwd: home.dir });
  const api = async (path: string) => (await fetch(`${url}${path}`, { headers: { authorization: `token=${token}` } })).json() as Promise<any>;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first');
    home = failingReposHome({ DCOS_CONTAINER_RUNTIME: 'none' });
    const up = await dcos(['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    url = JSON.parse(up.stdout).url;
    token = (await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout.trim();
    agentId = (await api('/mesos/master/state.json')).slaves[0].id;
  });
  afterAll(async () => {
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('installs hello-world, which answers over HTTP on its port, and lists it', async () => {
    const r = await dcos(['package', 'install', 'hello-world', '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ packageName: 'hello-world', packageVersion: '1.2.0', appId: '/hello-world', status: 'running' });
    expect(r.stderr).toContain('Installing Marathon app for package [hello-world] version [1.2.0]');
    // With --json, progress comes as JSON lines on stderr.
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('{"progress"')).map((l) => JSON.parse(l).progress.message);
    expect(progress).toContain('1/1 running, 1/1 healthy');
    const plain = await dcos(['package', 'install', 'hello-world', '--app-id', '/plain', '--yes']);
    expect(plain.stderr).toMatch(/^\d\d:\d\d:\d\d 1\/1 running, 1\/1 healthy$/m);
    expect(plain.stdout).toBe('');
    expect((await dcos(['package', 'uninstall', 'hello-world', '--app-id', '/plain', '--yes'])).exitCode).toBe(0);
    const [task] = out.tasks;
    const body = await (await fetch(`http://${task.host}:${task.ports[0]}/`)).text();
    expect(body).toContain(`(task ${task.id})`);

    const list = await dcos(['package', 'list']);
    expect(list.stdout).toMatch(/^hello-world\s+1\.2\.0\s+\/hello-world\s+running\s+1\/1\s+1\/1$/m);
    const json = JSON.parse((await dcos(['package', 'list', 'hello', '--json'])).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ name: 'hello-world', status: 'running', tasks: { running: 1, healthy: 1, wanted: 1 } });
  });

  it('refuses a second install under the same app id and changes nothing', async () => {
    const before = (await api('/v2/apps/hello-world')).app.version;
    const r = await dcos(['package', 'install', 'hello-world', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error: Package is already installed');
    expect(r.stderr).toContain('--app-id');
    expect((await api('/v2/apps/hello-world')).app.version).toBe(before);
  });

  it('needs --yes without a terminal', async () => {
    const r = await dcos(['package', 'install', 'hello-world', '--app-id', '/other']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Pass --yes');
    expect((await api('/v2/apps')).apps.map((a: any) => a.id)).not.toContain('/other');
  });

  it('scales to 3 and back to 1', async () => {
    const up = await dcos(['service', 'scale', 'hello-world', '3']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect((await api('/v2/apps/hello-world')).app).toMatchObject({ instances: 3, tasksRunning: 3, tasksHealthy: 3 });
    const down = await dcos(['service', 'scale', '/hello-world', '1']);
    expect(down.exitCode, down.stderr).toBe(0);
    const app = (await api('/v2/apps/hello-world')).app;
    expect(app).toMatchObject({ instances: 1, tasksRunning: 1 });
    expect(processesOfAgent(agentId).filter((p) => (p.taskId ?? '').startsWith('hello-world.'))).toHaveLength(1);
  });

  it('updates options with a rolling deployment that never drops to zero healthy', async () => {
    await dcos(['service', 'scale', 'hello-world', '2']);
    writeFileSync(join(home.dir, 'greet.yaml'), 'hello:\n  greeting: Updated greeting\n');
    const oldIds = (await api('/v2/apps/hello-world/tasks')).tasks.map((t: any) => t.id);
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push((await api('/v2/apps/hello-world')).app.tasksHealthy);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const r = await dcos(['package', 'update', 'hello-world', '--options', 'greet.yaml', '--yes', '--json']);
    sampling = false;
    await sampler;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).options).toEqual({ hello: { greeting: 'Updated greeting' } });
    expect(samples.length).toBeGreaterThan(3);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(1);
    const tasks = (await api('/v2/apps/hello-world/tasks')).tasks;
    expect(tasks.map((t: any) => t.id).filter((id: string) => oldIds.includes(id))).toEqual([]);
    const body = await (await fetch(`http://${tasks[0].host}:${tasks[0].ports[0]}/`)).text();
    expect(body).toContain('Updated greeting');
  });

  it('downgrades where downgradesTo allows it and refuses what upgradesFrom forbids', async () => {
    const down = await dcos(['package', 'update', 'hello-world', '--package-version', '1.0.0', '--yes']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect((await api('/v2/apps/hello-world')).app.labels.DCOS_PACKAGE_VERSION).toBe('1.0.0');

    expect((await dcos(['package', 'install', 'strict', '--package-version', '1.0.0', '--yes'])).exitCode).toBe(0);
    const refused = await dcos(['package', 'update', 'strict', '--package-version', '2.0.0', '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Cannot upgrade [strict] from 1.0.0 to 2.0.0: version 2.0.0 does not list 1.0.0 in its upgradesFrom');
    expect((await api('/v2/apps/strict')).app.labels.DCOS_PACKAGE_VERSION).toBe('1.0.0');
  });

  it('reports a task that keeps failing with its stderr, exit code 3', async () => {
    const r = await dcos(['package', 'install', 'crasher', '--yes', '--timeout', '60s']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/Error: Task crasher\.[0-9a-f-]+ failed: Command exited with status 2/);
    expect(r.stderr).toContain('stderr: fatal: missing config file /etc/crasher.conf');
  });

  it('gives up at the first failure of a command that does not exist, exit code 3', async () => {
    const r = await dcos(['package', 'install', 'nocommand', '--yes', '--timeout', '60s']);
    expect(r.exitCode, r.stderr).toBe(3);
    // The first task's failure, not a third one: no retry runs a command the node lacks.
    expect(r.stderr).toMatch(/Error: Task nocommand\.[0-9a-f-]+ failed: Command exited with status 127: the command was not found \(permanent: retrying will not help\)\n/);
    expect(r.stderr).not.toMatch(/task failures\)/);
    expect(r.stderr).toMatch(/stderr: .*dcos-no-such-program: .*not found/);
    expect((await dcos(['package', 'uninstall', 'nocommand', '--yes'])).exitCode).toBe(0);
  });

  it('reports a health check that keeps failing with its cause, exit code 3', async () => {
    const r = await dcos(['package', 'install', 'sickly', '--yes', '--timeout', '60s']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('The health check of /sickly keeps failing');
    expect(r.stderr).toMatch(/last failure: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/health/);
  });

  it('times out with what it was waiting for, exit code 4', async () => {
    const r = await dcos(['package', 'install', 'stuck', '--yes', '--timeout', '3s']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('Timed out after 3s waiting for /stuck to be running and healthy');
    expect(r.stderr).toMatch(/health check fails: command exited with 1: not ready yet/);
  });

  it('says when a task can never be placed, exit code 3', async () => {
    const r = await dcos(['package', 'install', 'huge', '--yes', '--timeout', '60s']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/\/huge cannot be placed: needs 4096 cpus, the node has \d+/);
  });

  it('refuses to guess between several installs, and uninstalls them all with --all, leaving no process', async () => {
    expect((await dcos(['package', 'install', 'hello-world', '--app-id', '/team/hello', '--yes'])).exitCode).toBe(0);
    const ambiguous = await dcos(['package', 'uninstall', 'hello-world', '--yes']);
    expect(ambiguous.exitCode).toBe(1);
    expect(ambiguous.stderr).toContain('Multiple apps named [hello-world] are installed: [/hello-world, /team/hello]');
    const r = await dcos(['package', 'uninstall', 'hello-world', '--all', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('Uninstalled package [hello-world] version [1.0.0]');
    expect(r.stderr).toContain('hello-world has been uninstalled');
    expect(processesOfAgent(agentId).filter((p) => (p.taskId ?? '').includes('hello'))).toEqual([]);
    const gone = await dcos(['package', 'uninstall', 'hello-world', '--yes']);
    expect(gone.stderr).toContain('Package [hello-world] is not installed');
  });

  for (const name of ['kafka', 'spark', 'cassandra']) {
    it(`${name}: the rendered app is accepted, and without a container runtime the failure says so`, async () => {
      // The latest kafka, spark and cassandra run as processes by default, from tarballs of the Apache
      // archive (which no test may fetch): their container runtime is the one this test is about.
      const options = join(home.dir, `${name}-container.json`);
      writeFileSync(options, JSON.stringify({ service: { runtime: 'container' } }));
      const r = await dcos(['package', 'install', name, '--options', options, '--yes', '--timeout', '60s']);
      expect(r.stderr).toContain(`Installing Marathon app for package [${name}]`);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain('neither Docker nor Podman is available on this node');
      expect((await dcos(['package', 'uninstall', name, '--yes'])).exitCode).toBe(0);
    });
  }
});

describe('packages on the embedded cluster: the hard cases', () => {
  let home: TempHome;
  const dcos = (argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });

  beforeAll(async () => {
    home = failingReposHome();
    expect((await dcos(['cluster', 'up'])).exitCode).toBe(0);
  });
  afterAll(async () => {
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('never reports a command that exits at once as running, and lists it as failed', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await dcos(['package', 'install', 'crasher', '--app-id', `/crash-${i}`, '--yes', '--timeout', '60s']);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).not.toContain('is running as');
    }
    const list = JSON.parse((await dcos(['package', 'list', 'crasher', '--json'])).stdout);
    expect(list.map((p: { status: string }) => p.status)).toEqual(['failed', 'failed', 'failed']);
    expect((await dcos(['package', 'uninstall', 'crasher', '--all', '--yes'])).exitCode).toBe(0);
  });

  it('refuses an update that would change the app id (AppIdChanged), changing nothing', async () => {
    expect((await dcos(['package', 'install', 'hello-world', '--yes'])).exitCode).toBe(0);
    writeFileSync(join(home.dir, 'rename.json'), JSON.stringify({ service: { name: '/renamed' } }));
    const r = await dcos(['package', 'update', 'hello-world', '--options', 'rename.json', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('The new appId /renamed must be equal to the old appId /hello-world');
    expect((await dcos(['package', 'uninstall', 'hello-world', '--yes'])).exitCode).toBe(0);
  });

  it('says when an earlier install of the same id is still being removed', async () => {
    expect((await dcos(['package', 'install', 'slowstop', '--yes'])).exitCode).toBe(0);
    const un = await dcos(['package', 'uninstall', 'slowstop', '--yes', '--no-wait']);
    expect(un.exitCode).toBe(0);
    expect(un.stderr).toContain('Uninstall of /slowstop submitted');
    expect(un.stderr).not.toContain('Uninstalled package');
    const again = await dcos(['package', 'install', 'slowstop', '--yes']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('An earlier /slowstop is still being removed');
    await new Promise((r) => setTimeout(r, 4500));
    expect((await dcos(['package', 'install', 'slowstop', '--yes'])).exitCode).toBe(0);
    expect((await dcos(['package', 'uninstall', 'slowstop', '--yes'])).exitCode).toBe(0);
  });
});
