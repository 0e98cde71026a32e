/** `dcos marathon app|deployment|task ...` against a real local cluster, run in-process. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';
import { waitFor as pollUntil } from '../helpers/daemon.js';
import type { Json } from './support.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('dcos marathon', () => {
  let home: TempHome;
  const dcos = (argv: string[], input?: string) => runCli(argv, { env: home.env, cwd: home.dir, input });

  /** Polls a CLI probe (each one is a whole command run) until it answers. */
  const waitFor = <T,>(what: string, probe: () => Promise<T>) => pollUntil(probe, { what, timeoutMs: 15_000, intervalMs: 150 });

  function appFile(app: Record<string, unknown>): string {
    const file = join(home.dir, `${String(app.id).replace(/\//g, '_')}.json`);
    writeFileSync(file, JSON.stringify({ cpus: 0.01, mem: 8, ...app }));
    return file;
  }

  const show = async (id: string): Promise<Json> => JSON.parse((await dcos(['marathon', 'app', 'show', id])).stdout);
  const tasksOf = async (id: string): Promise<Json[]> => JSON.parse((await dcos(['marathon', 'task', 'list', id, '--json'])).stdout);
  const settled = (id: string, n: number) =>
    waitFor(`${n} running task(s) of ${id}`, async () => {
      const app = await show(id);
      return app.tasksRunning === n && app.tasks.length === n && app.deployments.length === 0 ? app : undefined;
    });
  const deploymentsOf = async (id: string): Promise<Json[]> => JSON.parse((await dcos(['marathon', 'deployment', 'list', id, '--json'])).stdout);

  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/daemon/main.js is missing: run "npm run build" first');
    home = tempHome();
  });

  afterAll(async () => {
    if (!home) return;
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('adds apps from a file or stdin, and explains what it cannot read', async () => {
    const cmd = 'echo started; exec sleep 1000 # a command longer than thirty characters';
    const add = await dcos(['marathon', 'app', 'add', appFile({ id: '/web', cmd })]);
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.stdout).toMatch(new RegExp(`^Created deployment ${UUID.source}\n$`));
    const piped = await dcos(['marathon', 'app', 'add'], JSON.stringify({ id: 'piped', cmd: 'exec sleep 1000', cpus: 0.01, mem: 8 }));
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/^Created deployment /);

    const again = await dcos(['marathon', 'app', 'add', appFile({ id: '/web', cmd })]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("Application '/web' already exists");
    const missing = await dcos(['marathon', 'app', 'add', 'no-such.json']);
    expect(missing.stderr).toContain("can't read from resource: no-such.json. Please check that it exists");
    writeFileSync(join(home.dir, 'bad.json'), '{"id": "/bad",');
    const bad = await dcos(['marathon', 'app', 'add', 'bad.json']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('error loading JSON');
    const invalid = await dcos(['marathon', 'app', 'add', appFile({ id: '/Bad_Id', cmd: 'true' })]);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toContain('/id');
    await settled('/web', 1);
    await settled('/piped', 1);
  });

  it('lists apps as a table, ids only, or JSON', async () => {
    const res = await dcos(['marathon', 'app', 'list']);
    expect(res.exitCode, res.stderr).toBe(0);
    const [header, ...rows] = res.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['ID', 'MEM', 'CPUS', 'TASKS', 'HEALTH', 'DEPLOYMENT', 'WAITING', 'CONTAINER', 'CMD']);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['/piped', '/web']);
    expect(rows[1]).toMatch(/^\/web\s+8\s+0\.01\s+1\/1\s+---\s+---\s+False\s+MESOS\s+echo started; exec sleep 10\.\.\.$/);
    expect((await dcos(['marathon', 'app', 'list', '-q'])).stdout).toBe('/piped\n/web\n');
    const json: Json[] = JSON.parse((await dcos(['marathon', 'app', 'list', '--json'])).stdout);
    expect(json.map((a) => [a.id, a.instances])).toEqual([['/piped', 1], ['/web', 1]]);
  });

  it('shows an app, suggests a close id, and checks --app-version', async () => {
    const app = await show('web');
    expect(app).toMatchObject({ id: '/web', instances: 1 });
    const unknown = await dcos(['marathon', 'app', 'show', '/wbe']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("App '/wbe' does not exist");
    expect(unknown.stderr).toContain('Did you mean "/web"?');
    const previous = await dcos(['marathon', 'app', 'show', '/piped', '--app-version', '-1']);
    expect(previous.exitCode).toBe(1);
    expect(previous.stderr).toContain("application '/piped' only has 1 version(s)");
    const positive = await dcos(['marathon', 'app', 'show', '/web', '--app-version', '2']);
    expect(positive.exitCode).toBe(2);
    expect(positive.stderr).toContain('relative versions must be negative: 2');
    const garbage = await dcos(['marathon', 'app', 'show', '/web', '--app-version', 'yesterday']);
    expect(garbage.stderr).toContain("invalid timestamp provided 'yesterday'");
  });

  it('updates an app from key=value pairs or stdin, keeping its versions', async () => {
    const update = await dcos(['marathon', 'app', 'update', '/web', 'instances=2', 'env={"MODE":"test"}', 'cmd=exec sleep 2000']);
    expect(update.exitCode, update.stderr).toBe(0);
    expect(update.stdout).toMatch(new RegExp(`^Created deployment ${UUID.source}\n$`));
    const app = await settled('/web', 2);
    expect(app).toMatchObject({ instances: 2, env: { MODE: 'test' }, cmd: 'exec sleep 2000' });

    const versions: string[] = JSON.parse((await dcos(['marathon', 'app', 'version', 'list', '/web'])).stdout);
    expect(versions.length).toBe(2);
    expect(versions[0]).toBe(app.version);
    expect(JSON.parse((await dcos(['marathon', 'app', 'version', 'list', '/web', '--max-count', '1'])).stdout)).toEqual([versions[0]]);
    const before = JSON.parse((await dcos(['marathon', 'app', 'show', '/web', '--app-version', '-1'])).stdout);
    expect(before).toMatchObject({ id: '/web', instances: 1, version: versions[1] });
    const byTime = JSON.parse((await dcos(['marathon', 'app', 'show', '/web', '--app-version', versions[1]])).stdout);
    expect(byTime.instances).toBe(1);

    const piped = await dcos(['marathon', 'app', 'update', '/web'], '{"instances": 1}');
    expect(piped.exitCode, piped.stderr).toBe(0);
    await settled('/web', 1);

    const noEquals = await dcos(['marathon', 'app', 'update', '/web', 'instances']);
    expect(noEquals.exitCode).toBe(2);
    expect(noEquals.stderr).toContain("invalid property 'instances': expected key=value");
    const badJson = await dcos(['marathon', 'app', 'update', '/web', 'env={"MODE":']);
    expect(badJson.exitCode).toBe(2);
    expect(badJson.stderr).toContain("invalid JSON value for 'env'");
    const refused = await dcos(['marathon', 'app', 'update', '/web', 'instances="many"']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('instances');
    const unknown = await dcos(['marathon', 'app', 'update', '/weeb', 'instances=2']);
    expect(unknown.stderr).toContain("App '/weeb' does not exist");
    expect(unknown.stderr).toContain('Did you mean "/web"?');
    expect((await dcos(['marathon', 'app', 'show', '/weeb'])).exitCode).toBe(1);
  });

  it('restarts and kills the tasks of an app', async () => {
    const [old] = await tasksOf('/web');
    const restart = await dcos(['marathon', 'app', 'restart', '/web']);
    expect(restart.exitCode, restart.stderr).toBe(0);
    expect(restart.stdout).toMatch(/^Created deployment /);
    await waitFor('a new task of /web', async () => {
      const tasks = await tasksOf('/web');
      return tasks.length === 1 && tasks[0].id !== old.id && tasks[0].state === 'TASK_RUNNING';
    });
    await settled('/web', 1);

    const [current] = await tasksOf('/web');
    const kill = await dcos(['marathon', 'app', 'kill', '/web']);
    expect(kill.exitCode, kill.stderr).toBe(0);
    expect(kill.stdout).toBe(`Killed tasks: [${current.id}]\n`);
    await waitFor('a replacement of the killed task', async () => (await tasksOf('/web')).some((t) => t.id !== current.id && t.state === 'TASK_RUNNING'));
    const nowhere = await dcos(['marathon', 'app', 'kill', '/web', '--host', 'no-such-host']);
    expect(nowhere.stdout).toBe('Killed tasks: []\n');

    const scale = await dcos(['marathon', 'app', 'kill', '/piped', '--scale']);
    expect(scale.exitCode, scale.stderr).toBe(0);
    expect(scale.stdout).toMatch(new RegExp(`^Started deployment: ${UUID.source}\n$`));
    const stopped = await settled('/piped', 0);
    expect(stopped.instances).toBe(0);
    const idle = await dcos(['marathon', 'app', 'restart', '/piped']);
    expect(idle.exitCode).toBe(1);
    expect(idle.stderr).toContain("unable to perform rolling restart of application '/piped' because it has no running tasks");
  });

  it('lists, watches, rolls back and stops deployments', async () => {
    const none = await dcos(['marathon', 'deployment', 'list', '/web']);
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('There are no deployments');

    // More cpus than the node has: its deployment waits for ever.
    expect((await dcos(['marathon', 'app', 'add', appFile({ id: '/huge', cmd: 'sleep 1000', cpus: 512 })])).exitCode).toBe(0);
    const [deployment] = await waitFor('the deployment of /huge', async () => {
      const found = await deploymentsOf('/huge');
      return found.length ? found : undefined;
    });
    const table = await dcos(['marathon', 'deployment', 'list']);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['APP', 'POD', 'ACTION', 'PROGRESS', 'ID']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^/huge\\s+---\\s+(start|scale)\\s+\\d+/${deployment.totalSteps}\\s+${deployment.id}$`));
    expect((await dcos(['marathon', 'deployment', 'list', '-q'])).stdout).toBe(`${deployment.id}\n`);
    const apps = await dcos(['marathon', 'app', 'list']);
    expect(apps.stdout).toMatch(/^\/huge\s+8\s+512\s+0\/1\s+---\s+(start|scale)\s+True\s+MESOS\s+sleep 1000$/m);

    const watch = await dcos(['marathon', 'deployment', 'watch', deployment.id, '--max-count', '2', '--interval', '0.2']);
    expect(watch.exitCode, watch.stderr).toBe(0);
    expect(watch.stderr.match(/^Deployment update time: /gm)).toHaveLength(2);
    expect(watch.stdout.match(new RegExp(`^  "id": "${deployment.id}",$`, 'gm'))).toHaveLength(2);

    const rollback = await dcos(['marathon', 'deployment', 'rollback', deployment.id]);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    const reverted = JSON.parse(rollback.stdout);
    expect(reverted.deploymentId).toMatch(UUID);
    expect(reverted.deploymentId).not.toBe(deployment.id);
    expect(typeof reverted.version).toBe('string');
    // Rolling back a creation removes the app.
    await waitFor('/huge to be gone', async () => (await dcos(['marathon', 'app', 'show', '/huge'])).exitCode === 1);
    const gone = await dcos(['marathon', 'deployment', 'watch', deployment.id]);
    expect(gone.exitCode).toBe(0);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toContain('is not running');

    expect((await dcos(['marathon', 'app', 'add', appFile({ id: '/huge2', cmd: 'sleep 1000', cpus: 512 })])).exitCode).toBe(0);
    const [second] = await waitFor('the deployment of /huge2', async () => {
      const found = await deploymentsOf('/huge2');
      return found.length ? found : undefined;
    });
    const stop = await dcos(['marathon', 'deployment', 'stop', second.id]);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toBe('');
    await waitFor('no deployment of /huge2', async () => (await deploymentsOf('/huge2')).length === 0);
    expect((await show('/huge2')).id).toBe('/huge2');
    expect((await dcos(['marathon', 'app', 'remove', '/huge2', '--force'])).exitCode).toBe(0);

    const unknown = await dcos(['marathon', 'deployment', 'rollback', 'no-such-deployment']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("Deployment 'no-such-deployment' does not exist");
    expect((await dcos(['marathon', 'deployment', 'stop', 'no-such-deployment'])).stderr).toContain('does not exist');
  }, 40_000);

  it("lists, shows and kills Marathon's tasks", async () => {
    const [task] = await tasksOf('/web');
    const table = await dcos(['marathon', 'task', 'list']);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['APP', 'HEALTHY', 'STARTED', 'HOST', 'ID']);
    expect(rows).toEqual([expect.stringMatching(new RegExp(`^/web\\s+---\\s+\\d{4}-\\d{2}-\\d{2}T\\S+Z\\s+\\S+\\s+${task.id.replace('.', '\\.')}$`))]);
    expect((await dcos(['marathon', 'task', 'list', '/web', '-q'])).stdout).toBe(`${task.id}\n`);
    const noApp = await dcos(['marathon', 'task', 'list', '/wbe']);
    expect(noApp.exitCode).toBe(1);
    expect(noApp.stderr).toContain("App '/wbe' does not exist");

    expect(JSON.parse((await dcos(['marathon', 'task', 'show', task.id])).stdout)).toMatchObject({ id: task.id, appId: '/web' });
    const fragment = await dcos(['marathon', 'task', 'show', task.id.slice(0, 12)]);
    expect(fragment.exitCode).toBe(1);
    expect(fragment.stderr).toContain(`Task '${task.id.slice(0, 12)}' does not exist`);
    expect(fragment.stderr).toContain(`Did you mean "${task.id}"?`);

    const both = await dcos(['marathon', 'task', 'kill', task.id, '--scale', '--wipe']);
    expect(both.exitCode).toBe(2);
    const unknown = await dcos(['marathon', 'task', 'kill', 'web.nope']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("Task 'web.nope' does not exist");
    const kill = await dcos(['marathon', 'task', 'kill', task.id, '--json']);
    expect(kill.exitCode, kill.stderr).toBe(0);
    expect(JSON.parse(kill.stdout).map((t: Json) => t.id)).toEqual([task.id]);
    const [replacement] = await waitFor('a replacement', async () => {
      const tasks = (await tasksOf('/web')).filter((t) => t.id !== task.id && t.state === 'TASK_RUNNING');
      return tasks.length ? tasks : undefined;
    });
    const scaled = await dcos(['marathon', 'task', 'kill', replacement.id, '--scale']);
    expect(scaled.stdout).toMatch(/^Started deployment: /);
    expect((await settled('/web', 0)).instances).toBe(0);
  });

  it('removes apps, with a suggestion for an unknown one', async () => {
    const unknown = await dcos(['marathon', 'app', 'remove', '/wbe']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("App '/wbe' does not exist");
    expect(unknown.stderr).toContain('Did you mean "/web"?');
    for (const id of ['/web', 'piped']) {
      const res = await dcos(['marathon', 'app', 'remove', id]);
      expect(res.exitCode, res.stderr).toBe(0);
      expect(res.stdout).toBe('');
    }
    await waitFor('no apps', async () => (await dcos(['marathon', 'app', 'list', '--json'])).stdout.trim() === '[]');
    const empty = await dcos(['marathon', 'app', 'list']);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain('There are no apps');
  });
});
