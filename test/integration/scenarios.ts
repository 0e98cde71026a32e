/**
 * One definition of what a user does with hello-world, run against every cluster kind where the
 * behaviour is meant to be the same (the embedded cluster, Kubernetes): install and reach it,
 * list it, scale it 1 -> 3 -> 1, update its options with a rolling update that never drops to
 * zero healthy, see a failing health check reported (exit 3) and a wait time out (exit 4), and
 * uninstall it leaving nothing behind. Only how hello-world is told to run there, and what
 * "left behind" means, differ.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../helpers/index.js';
import type { Json } from './support.js';

export interface ScenarioTarget {
  /** The cluster kind, for the suite's name. */
  kind: string;
  /** Whether to skip the suite (the target's helper has said why; only ever outside CI). */
  skip: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  dcos(argv: string[]): Promise<CliResult>;
  /** A directory for option files. */
  dir(): string;
  /** Options that make hello-world run on this cluster (merged under each scenario's own). */
  helloOptions: Json;
  /** What is left on the cluster of an app (processes, objects), by name; [] when nothing is. */
  leftovers(appId: string): Promise<string[]>;
  /** How many of the app's tasks are healthy now, asked of the cluster's API itself (fast: it is sampled). */
  healthy(appId: string): Promise<number>;
  /** Where the app's tasks answer (as the cluster tells it, not through dcos). */
  endpoints(appId: string): Promise<Array<{ host: string; ports: number[] }>>;
}

const merge = (a: Json, b: Json): Json => {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof a[k] === 'object' ? merge(a[k], v) : v;
  return out;
};

export function helloWorldScenarios(target: ScenarioTarget): void {
  let n = 0;
  const options = (value: Json): string => {
    const file = join(target.dir(), `options-${++n}.json`);
    writeFileSync(file, JSON.stringify(merge(target.helloOptions, value)));
    return file;
  };
  const dcos = (argv: string[]) => target.dcos(argv);
  const json = async (argv: string[]): Promise<Json> => {
    const r = await dcos([...argv, '--json']);
    expect(r.exitCode, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  const greeting = async (task: { host: string; ports: number[] }) => (await (await fetch(`http://${task.host}:${task.ports[0]}/`)).text()).trim();
  const installed = async (appId: string): Promise<Json | undefined> => (await json(['package', 'list'])).find((p: Json) => p.appId === appId);

  describe.skipIf(target.skip)(`hello-world on the ${target.kind} cluster (the same scenarios on every kind)`, () => {
    beforeAll(() => target.setup(), 180_000);
    afterAll(() => target.teardown(), 180_000);

    it('installs, answers over HTTP at the address the install gives, and is listed as a package and as tasks', async () => {
      const r = await dcos(['package', 'install', 'hello-world', '--app-id', '/hello', '--options', options({ hello: { greeting: 'Hi there' } }), '--yes', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ packageName: 'hello-world', appId: '/hello', status: 'running' });
      expect(out.tasks).toHaveLength(1);
      expect(await greeting(out.tasks[0])).toBe(`Hi there (task ${out.tasks[0].id})`);
      expect(await installed('/hello')).toMatchObject({ name: 'hello-world', status: 'running', tasks: { running: 1, healthy: 1, wanted: 1 } });
      const tasks = await json(['task', 'list', 'hello']);
      expect(tasks.map((t: Json) => [t.id, t.state, t.health])).toEqual([[out.tasks[0].id, 'TASK_RUNNING', 'healthy']]);
      const table = await dcos(['task', 'list']);
      expect(table.stdout).toMatch(new RegExp(`^hello\\s+\\S+\\s+\\S+\\s+TASK_RUNNING\\s+${out.tasks[0].id}\\s+healthy$`, 'm'));
    }, 180_000);

    it('scales 1 -> 3 -> 1, each task answering on its own', async () => {
      const up = await dcos(['service', 'scale', '/hello', '3', '--json']);
      expect(up.exitCode, up.stderr).toBe(0);
      expect(JSON.parse(up.stdout)).toMatchObject({ appId: '/hello', instances: 3, status: 'running' });
      const three = await json(['task', 'list', 'hello']);
      expect(three).toHaveLength(3);
      expect(await installed('/hello')).toMatchObject({ tasks: { running: 3, healthy: 3, wanted: 3 } });
      const down = await dcos(['service', 'scale', '/hello', '1']);
      expect(down.exitCode, down.stderr).toBe(0);
      expect(await json(['task', 'list', 'hello'])).toHaveLength(1);
    }, 180_000);

    it('updates its options with a rolling update that never drops to zero healthy', async () => {
      const scaled = await dcos(['service', 'scale', '/hello', '2']);
      expect(scaled.exitCode, scaled.stderr).toBe(0);
      let lowest = Infinity;
      let samples = 0;
      let done = false;
      const sampling = (async () => {
        // Bounded: at most 3000 samples, one every 20 ms or so.
        while (!done && samples < 3000) {
          lowest = Math.min(lowest, await target.healthy('/hello'));
          samples += 1;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const r = await dcos(['package', 'update', 'hello-world', '--app-id', '/hello', '--options', options({ hello: { greeting: 'Updated' }, service: { instances: 2 } }), '--yes']);
      done = true;
      await sampling;
      expect(r.exitCode, r.stderr).toBe(0);
      expect(samples, r.stderr).toBeGreaterThan(3);
      expect(lowest).toBeGreaterThanOrEqual(1);
      expect(await installed('/hello')).toMatchObject({ status: 'running', tasks: { running: 2, healthy: 2 } });
      const endpoints = await target.endpoints('/hello');
      expect(endpoints).toHaveLength(2);
      for (const e of endpoints) expect(await greeting(e)).toMatch(/^Updated \(task .+\)$/);
    }, 240_000);

    it('reports a health check that keeps failing, exit 3, with what it says', async () => {
      const r = await dcos([
        'package', 'install', 'hello-world', '--app-id', '/sick', '--yes', '--timeout', '150s',
        '--options', options({ hello: { fail_health: true }, service: { health_check_grace_period: 0, health_check_interval: 1 } }),
      ]);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/The health check of \/sick keeps failing/);
      expect(r.stderr).toMatch(/500/);
      expect(r.stderr).toContain('dcos package uninstall hello-world --app-id /sick --yes');
      expect((await dcos(['package', 'uninstall', 'hello-world', '--app-id', '/sick', '--yes'])).exitCode).toBe(0);
    }, 240_000);

    it('times out, exit 4, saying what it waited for and what is failing', async () => {
      const r = await dcos([
        'package', 'install', 'hello-world', '--app-id', '/slow', '--yes', '--timeout', '8s',
        '--options', options({ hello: { fail_health: true }, service: { health_check_grace_period: 600 } }),
      ]);
      expect(r.exitCode, r.stderr).toBe(4);
      expect(r.stderr).toContain('Timed out after 8s waiting for /slow to be running and healthy');
      expect(r.stderr).toMatch(/0\/1 healthy/);
      expect((await dcos(['package', 'uninstall', 'hello-world', '--app-id', '/slow', '--yes'])).exitCode).toBe(0);
    }, 120_000);

    it('uninstalls, waiting until nothing of it is left on the cluster', async () => {
      const r = await dcos(['package', 'uninstall', 'hello-world', '--app-id', '/hello', '--yes', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).results).toEqual([expect.objectContaining({ appId: '/hello' })]);
      expect(await target.leftovers('/hello')).toEqual([]);
      expect(await target.leftovers('/sick')).toEqual([]);
      expect(await target.leftovers('/slow')).toEqual([]);
      expect(await json(['package', 'list'])).toEqual([]);
    }, 120_000);
  });
}
