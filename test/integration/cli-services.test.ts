/** `dcos service list|show` against a real local cluster, run in-process. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';
import { waitFor } from '../helpers/daemon.js';
import type { Json } from './support.js';

describe('dcos service', () => {
  let home: TempHome;
  const dcos = (argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });

  async function addApp(app: Record<string, unknown>): Promise<void> {
    const file = join(home.dir, `${String(app.id).replace(/\//g, '_')}.json`);
    writeFileSync(file, JSON.stringify({ cpus: 0.01, mem: 8, cmd: 'exec sleep 1000', ...app }));
    const res = await dcos(['marathon', 'app', 'add', file]);
    expect(res.exitCode, res.stderr).toBe(0);
  }

  const settled = () =>
    waitFor(
      async () => {
        const apps: Json[] = JSON.parse((await dcos(['marathon', 'app', 'list', '--json'])).stdout);
        return apps.every((a) => a.tasksRunning === a.instances && a.deployments.length === 0);
      },
      { what: 'the apps to run', timeoutMs: 15_000, intervalMs: 150 },
    );

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/daemon/main.js is missing: run "npm run build" first');
    home = tempHome();
    await addApp({ id: '/svc', instances: 2, disk: 5 });
    await addApp({ id: '/prod/db', instances: 1, cpus: 0.02, mem: 16, labels: { DCOS_SERVICE_NAME: 'database', DCOS_PACKAGE_NAME: 'fakedb' } });
    await addApp({ id: '/idle', instances: 0 });
    await settled();
  }, 60_000);

  afterAll(async () => {
    if (!home) return;
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('lists each app and the marathon framework, with tasks and resources', async () => {
    const res = await dcos(['service']);
    expect(res.exitCode, res.stderr).toBe(0);
    const [header, ...rows] = res.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'HOST', 'ACTIVE', 'TASKS', 'CPU', 'MEM', 'DISK', 'ID']);
    const cells = rows.map((r) => r.split(/\s+/));
    expect(cells.map((c) => c[0])).toEqual(['/prod/db', '/svc', 'marathon']);
    const [db, svc, marathon] = cells;
    expect(svc.slice(2)).toEqual(['True', '2', '0.02', '16', '10', '/svc']);
    expect(db.slice(2)).toEqual(['True', '1', '0.02', '16', '0', '/prod/db']);
    // The framework carries every task and the resources they use.
    expect(marathon.slice(2, 7)).toEqual(['True', '3', '0.04', '32', '10']);
    expect(marathon[7]).toMatch(/^[0-9a-f-]+-0000$/);
    // The app's host is the agent its tasks run on, as the framework's is the master's.
    expect(svc[1]).toBe(marathon[1]);

    expect((await dcos(['service', 'list', '-q'])).stdout).toBe(`/prod/db\n/svc\n${marathon[7]}\n`);
  });

  it('shows inactive services only with --inactive, and JSON rows with --json', async () => {
    const inactive = await dcos(['service', '--inactive']);
    expect(inactive.stdout).toMatch(/^\/idle\s+---\s+False\s+0\s+0\s+0\s+0\s+\/idle$/m);
    expect((await dcos(['service'])).stdout).not.toContain('/idle');
    const completed = await dcos(['service', 'list', '--completed', '--json']);
    expect(completed.exitCode).toBe(0);
    const rows: Json[] = JSON.parse(completed.stdout);
    expect(rows.map((r) => r.name)).toEqual(['/prod/db', '/svc', 'marathon']);
    expect(rows[1]).toMatchObject({ kind: 'app', name: '/svc', active: true, tasks: 2, cpu: 0.02, mem: 16, disk: 10, id: '/svc' });
    expect(rows[2]).toMatchObject({ kind: 'framework', name: 'marathon', active: true, tasks: 3 });
    const all: Json[] = JSON.parse((await dcos(['service', '--inactive', '--json'])).stdout);
    expect(all.find((r) => r.id === '/idle')).toMatchObject({ active: false, tasks: 0, cpu: 0 });
  });

  it('shows a service by app id, service name or package name, suggesting close ones', async () => {
    for (const name of ['/prod/db', 'prod/db', 'database', 'fakedb']) {
      const res = await dcos(['service', 'show', name]);
      expect(res.exitCode, `${name}: ${res.stderr}`).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ id: '/prod/db', instances: 1, labels: { DCOS_SERVICE_NAME: 'database' } });
    }
    const close = await dcos(['service', 'show', 'svx']);
    expect(close.exitCode).toBe(1);
    expect(close.stdout).toBe('');
    expect(close.stderr).toContain('No service or app [svx]');
    expect(close.stderr).toContain('Did you mean "svc"?');
    const far = await dcos(['service', 'show', 'completely-unrelated']);
    expect(far.stderr).toContain('dcos marathon app list');
  });

  it('follows changes: a scaled app shows its new tasks and resources', async () => {
    const scale = await dcos(['marathon', 'app', 'update', '/svc', 'instances=3']);
    expect(scale.exitCode, scale.stderr).toBe(0);
    await settled();
    const rows: Json[] = JSON.parse((await dcos(['service', '--json'])).stdout);
    expect(rows.find((r) => r.id === '/svc')).toMatchObject({ tasks: 3, cpu: 0.03, mem: 24, disk: 15 });
    expect(rows.find((r) => r.name === 'marathon')).toMatchObject({ tasks: 4 });
  });
});
