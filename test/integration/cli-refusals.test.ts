/**
 * A command that is refused changes nothing, and a deploying command that ends without success
 * says what it leaves in the cluster and how to remove or roll it back. Against the real embedded
 * cluster.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingReposHome, runCli, type TempHome } from '../helpers/index.js';


describe('refused and unfinished deploying commands', () => {
  let home: TempHome;
  let url = '';
  let token = '';
  const dcos = (argv: string[], signal?: AbortSignal, onStderr?: (text: string) => void) => runCli(argv, { env: home.env, cwd: home.dir, signal, onStderr });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const api = async (path: string): Promise<any> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `token=${token}` } });
    return res.status === 404 ? undefined : res.json();
  };
  const appIds = async () => ((await api('/v2/apps')).apps as Array<{ id: string }>).map((a) => a.id).sort();

  beforeAll(async () => {
    home = failingReposHome({ DCOS_CONTAINER_RUNTIME: 'none' });
    const up = await dcos(['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    url = JSON.parse(up.stdout).url;
    token = (await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout.trim();
    const install = await dcos(['package', 'install', 'hello-world', '--yes']);
    expect(install.exitCode, install.stderr).toBe(0);
  });
  afterAll(async () => {
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('install with a bad --timeout exits 2 and creates no app', async () => {
    const r = await dcos(['package', 'install', 'hello-world', '--app-id', '/other', '--yes', '--timeout', '5x']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Invalid duration "5x" for --timeout');
    expect(r.stdout).toBe('');
    expect(await appIds()).toEqual(['/hello-world']);
  });

  it('install with an invalid --app-id is a usage error naming the flag, and creates no app', async () => {
    const r = await dcos(['package', 'install', 'hello-world', '--app-id', 'bad id!', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Invalid app id "bad id!" for --app-id: "bad id!" holds a space, "!"');
    expect(r.stderr).not.toContain('regular expression');
    expect(r.stderr).not.toContain('package template');
    expect(await appIds()).toEqual(['/hello-world']);
  });

  it('service scale with a bad --timeout exits 2 and scales nothing', async () => {
    const before = (await api('/v2/apps/hello-world')).app;
    const r = await dcos(['service', 'scale', 'hello-world', '3', '--timeout', 'abc']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Invalid duration "abc" for --timeout');
    const after = (await api('/v2/apps/hello-world')).app;
    expect(after.instances).toBe(1);
    expect(after.version).toBe(before.version);
  });

  it('package update with a bad --timeout exits 2 and changes nothing', async () => {
    writeFileSync(join(home.dir, 'greet.yaml'), 'hello:\n  greeting: changed\n');
    const before = (await api('/v2/apps/hello-world')).app.version;
    const r = await dcos(['package', 'update', 'hello-world', '--options', 'greet.yaml', '--yes', '--timeout', '1h2']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Invalid duration "1h2" for --timeout');
    expect((await api('/v2/apps/hello-world')).app.version).toBe(before);
  });

  it('package uninstall with a bad --timeout exits 2 and removes nothing', async () => {
    const r = await dcos(['package', 'uninstall', 'hello-world', '--yes', '--timeout', 'xyz']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Invalid duration "xyz" for --timeout');
    expect(await appIds()).toEqual(['/hello-world']);
    expect((await api('/v2/apps/hello-world')).app.tasksRunning).toBe(1);
  });

  it('a failed install says what it leaves and how to remove it; list shows it failed; a second install says so', async () => {
    const r = await dcos(['package', 'install', 'crasher', '--yes', '--timeout', '60s']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('/crasher stays in the cluster, which keeps trying to start it');
    expect(r.stderr).toContain('Remove it with: dcos package uninstall crasher --app-id /crasher --yes');
    const list = JSON.parse((await dcos(['package', 'list', 'crasher', '--json'])).stdout);
    expect(list).toMatchObject([{ appId: '/crasher', status: 'failed', problem: expect.stringContaining('Command exited with status 2') }]);
    const again = await dcos(['package', 'install', 'crasher', '--yes']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('Package is already installed');
    expect(again.stderr).toContain('It is failed (Command exited with status 2');
    expect(again.stderr).toContain('remove it with: dcos package uninstall crasher --app-id /crasher --yes');
    // The command it names works.
    expect((await dcos(['package', 'uninstall', 'crasher', '--app-id', '/crasher', '--yes'])).exitCode).toBe(0);
    expect(await appIds()).toEqual(['/hello-world']);
  });

  it('a health check that keeps failing makes the install failed in the list', async () => {
    const r = await dcos(['package', 'install', 'sickly', '--yes', '--timeout', '60s']);
    expect(r.exitCode).toBe(3);
    const [sickly] = JSON.parse((await dcos(['package', 'list', 'sickly', '--json'])).stdout);
    expect(sickly.status).toBe('failed');
    expect(sickly.problem).toMatch(/^Killed as unhealthy: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/health \(TASK_KILLED/);
    expect((await dcos(['package', 'uninstall', 'sickly', '--yes'])).exitCode).toBe(0);
  });

  it('a timeout says what it leaves, and so does Ctrl-C (exit 130)', async () => {
    const timeout = await dcos(['package', 'install', 'stuck', '--yes', '--timeout', '2s']);
    expect(timeout.exitCode).toBe(4);
    expect(timeout.stderr).toContain('/stuck stays in the cluster');
    expect(timeout.stderr).toContain('Remove it with: dcos package uninstall stuck --app-id /stuck --yes');
    // Still deploying in the cluster, and the list says what holds it up (once a check has failed).
    let stuck: { status: string; problem?: string } | undefined;
    for (let i = 0; i < 300 && !stuck?.problem; i++) {
      [stuck] = JSON.parse((await dcos(['package', 'list', 'stuck', '--json'])).stdout);
      if (!stuck?.problem) await new Promise((r) => setTimeout(r, 100));
    }
    expect(stuck).toMatchObject({ status: 'deploying', problem: 'the health check fails on 1 task(s): command exited with 1: not ready yet' });
    expect((await dcos(['package', 'uninstall', 'stuck', '--yes'])).exitCode).toBe(0);

    // Ctrl-C the moment the install says it was submitted: from then on it is being followed.
    const controller = new AbortController();
    const r = await dcos(['package', 'install', 'stuck', '--app-id', '/stuck-2', '--yes'], controller.signal, (text) => {
      if (text.includes('Installing Marathon app for package [stuck]')) controller.abort();
    });
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain('Error: Interrupted');
    expect(r.stderr).toContain('/stuck-2 stays in the cluster');
    expect(r.stderr).toContain('Remove it with: dcos package uninstall stuck --app-id /stuck-2 --yes');
    expect((await dcos(['package', 'uninstall', 'stuck', '--app-id', '/stuck-2', '--yes'])).exitCode).toBe(0);
  });

  it('with --json, stderr is JSON lines only: notes, progress and summaries of install, update, scale and uninstall', async () => {
    writeFileSync(join(home.dir, 'j.yaml'), 'hello:\n  greeting: json\n');
    const runs = [
      ['package', 'install', 'hello-world', '--app-id', '/json', '--yes', '--json'],
      ['package', 'update', 'hello-world', '--app-id', '/json', '--options', 'j.yaml', '--yes', '--json'],
      ['service', 'scale', '/json', '2', '--json'],
      ['--json', 'package', 'uninstall', 'hello-world', '--app-id', '/json', '--yes'],
    ];
    for (const argv of runs) {
      const r = await dcos(argv);
      expect(r.exitCode, r.stderr).toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line), `${argv.join(' ')}: ${line}`).not.toThrow();
      const kinds = new Set(lines.map((l) => Object.keys(JSON.parse(l))[0]));
      for (const kind of kinds) expect(['info', 'progress', 'warning']).toContain(kind);
      JSON.parse(r.stdout);
    }
  });

  it('takes --json before the command too, and lists an empty result as a success', async () => {
    const r = await dcos(['--json', 'package', 'list']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((p: { appId: string }) => p.appId)).toEqual(['/hello-world']);
    const none = await dcos(['package', 'list', 'nothing-like-this']);
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No installed package matches "nothing-like-this"');
    const noneJson = await dcos(['package', 'list', 'nothing-like-this', '--json']);
    expect(noneJson.exitCode).toBe(0);
    expect(JSON.parse(noneJson.stdout)).toEqual([]);
    for (const argv of [['service', 'show', 'hello-world', '--json'], ['marathon', 'app', 'show', '/hello-world', '--json'], ['marathon', 'app', 'version', 'list', '/hello-world', '--json']]) {
      const shown = await dcos(argv);
      expect(shown.exitCode, `${argv.join(' ')}: ${shown.stderr}`).toBe(0);
      expect(JSON.parse(shown.stdout)).toBeTruthy();
    }
  });

  it('an update that fails says how to roll it back, and the rollback command works', async () => {
    writeFileSync(join(home.dir, 'sick.yaml'), 'hello:\n  fail_health: true\nservice:\n  health_check_grace_period: 0\n  health_check_interval: 1\n');
    const before = (await api('/v2/apps/hello-world')).app;
    const r = await dcos(['package', 'update', 'hello-world', '--options', 'sick.yaml', '--yes', '--timeout', '3s']);
    expect([3, 4]).toContain(r.exitCode);
    const m = /Roll it back with: dcos marathon deployment rollback ([0-9a-f-]+)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const back = await dcos(['marathon', 'deployment', 'rollback', m![1]]);
    expect(back.exitCode, back.stderr).toBe(0);
    for (let i = 0; i < 600; i++) {
      const app = (await api('/v2/apps/hello-world')).app;
      if (app.deployments.length === 0 && app.tasksHealthy === 1) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const after = (await api('/v2/apps/hello-world')).app;
    expect(after.env.FAIL_HEALTH).toBe(before.env.FAIL_HEALTH);
    expect(after.env.FAIL_HEALTH).toBe("false");
    expect(after.tasksHealthy).toBe(1);
  });
});
