/** `dcos task list|log|ls` and `dcos node` against a real local cluster, run in-process. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';
import { sleep, waitFor as pollUntil } from '../helpers/daemon.js';
import type { Json } from './support.js';

describe('dcos task and node', () => {
  let home: TempHome;
  const dcos = (argv: string[], extra: { signal?: AbortSignal; input?: string } = {}) => runCli(argv, { env: home.env, cwd: home.dir, ...extra });

  /** Polls a CLI probe (each one is a whole command run) until it answers. */
  const waitFor = <T,>(what: string, probe: () => Promise<T>) => pollUntil(probe, { what, timeoutMs: 15_000, intervalMs: 150 });

  async function addApp(app: Record<string, unknown>): Promise<void> {
    const file = join(home.dir, `${String(app.id).slice(1)}.json`);
    writeFileSync(file, JSON.stringify({ cpus: 0.01, mem: 8, ...app }));
    const res = await dcos(['marathon', 'app', 'add', file]);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Created deployment [0-9a-f-]{36}\n$/);
  }

  /** The running Marathon tasks of an app, once there are `n`. */
  async function running(appId: string, n: number): Promise<Json[]> {
    return waitFor(`${n} running task(s) of ${appId}`, async () => {
      const res = await dcos(['marathon', 'task', 'list', appId, '--json']);
      const tasks: Json[] = res.exitCode === 0 ? JSON.parse(res.stdout) : [];
      const up = tasks.filter((t) => t.state === 'TASK_RUNNING');
      return up.length === n && tasks.length === n ? up : undefined;
    });
  }

  const logLines = (text: string) => text.split('\n').filter(Boolean);
  /** Every line, empty ones included (a half line printed early would show as one). */
  const allLines = (text: string) => text.replace(/\n$/, '').split('\n');

  let talkers: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/daemon/main.js is missing: run "npm run build" first');
    home = tempHome();
    // Thirty numbered lines on each stream, then quiet: the tails are exact.
    await addApp({ id: '/talker', instances: 2, cmd: 'for i in $(seq 1 30); do echo "line $i"; echo "warn $i" >&2; done; exec sleep 1000' });
    // A line every 0.2 s, numbered from 0, for --follow; each written in two halves, 0.1 s apart.
    await addApp({ id: '/ticker', instances: 1, cmd: 'i=0; while true; do printf "tick $i"; sleep 0.1; printf "\\n"; i=$((i+1)); sleep 0.1; done' });
    await addApp({ id: '/victim', instances: 1, cmd: 'exec sleep 1000' });
    await addApp({ id: '/idle', instances: 0, cmd: 'exec sleep 1000' });
    talkers = (await running('/talker', 2)).map((t) => t.id).sort();
    await running('/ticker', 1);
    await running('/victim', 1);
    // Wait until both talkers have written everything.
    await waitFor('the talkers output', async () => {
      const res = await dcos(['task', 'log', 'talker', '--lines', '1']);
      return logLines(res.stdout).filter((l) => l.endsWith('| line 30')).length === 2;
    });
  }, 60_000);

  afterAll(async () => {
    if (!home) return;
    await dcos(['cluster', 'down']);
    home.cleanup();
  });

  it('lists the active tasks as a table sorted by name then id, and as JSON', async () => {
    const res = await dcos(['task']);
    expect(res.exitCode, res.stderr).toBe(0);
    const [header, ...rows] = res.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'HOST', 'USER', 'STATE', 'ID', 'HEALTH']);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['talker', 'talker', 'ticker', 'victim']);
    expect(rows.map((r) => r.split(/\s+/)[4]).slice(0, 2)).toEqual(talkers);
    for (const row of rows) expect(row).toMatch(/\sTASK_RUNNING\s+\S+\s+---$/);

    const json = await dcos(['task', 'list', '--json']);
    const tasks: Json[] = JSON.parse(json.stdout);
    expect(tasks.map((t) => t.id).slice(0, 2)).toEqual(talkers);
    expect(tasks[0]).toMatchObject({ name: 'talker', state: 'TASK_RUNNING' });
    // One address for a task everywhere: the agent is known by the address Marathon gives its tasks.
    const marathonTasks: Json[] = JSON.parse((await dcos(['marathon', 'task', 'list', '--json'])).stdout);
    expect(tasks[0].host).toBe(marathonTasks.find((t) => t.id === tasks[0].id).host);
    expect(rows[0].split(/\s+/)[1]).toBe(tasks[0].host);
  });

  it('filters by substring or glob, and says when nothing matches', async () => {
    const sub = await dcos(['task', 'talk']);
    expect(sub.stdout.trimEnd().split('\n').slice(1).map((r) => r.split(/\s+/)[0])).toEqual(['talker', 'talker']);
    const byId = await dcos(['task', talkers[1].slice(-12), '--json']);
    expect(JSON.parse(byId.stdout).map((t: Json) => t.id)).toEqual([talkers[1]]);
    const glob = await dcos(['task', 't*er', '--json']);
    expect(JSON.parse(glob.stdout).map((t: Json) => t.name)).toEqual(['talker', 'talker', 'ticker']);
    const tickOnly = await dcos(['task', 'tick']);
    expect(tickOnly.stdout.split('\n').filter(Boolean)).toHaveLength(2);

    // Matching nothing is a success, as for every listing: a note on stderr, nothing on stdout.
    const none = await dcos(['task', 'nothing*here']);
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No active tasks found matching nothing*here');
    expect(none.stderr).not.toContain('Error');
    const noneJson = await dcos(['task', 'nothing', '--json']);
    expect(noneJson.exitCode).toBe(0);
    expect(JSON.parse(noneJson.stdout)).toEqual([]);
    const both = await dcos(['task', '--all', '--completed']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--all and --completed');
  });

  it('shows finished tasks with --completed, and both with --all', async () => {
    const [victim] = await running('/victim', 1);
    const kill = await dcos(['marathon', 'task', 'kill', victim.id]);
    expect(kill.exitCode, kill.stderr).toBe(0);
    const done = await waitFor('the killed task in --completed', async () => {
      const rows: Json[] = JSON.parse((await dcos(['task', 'victim', '--completed', '--json'])).stdout);
      return rows.find((t) => t.id === victim.id && t.state === 'TASK_KILLED');
    });
    expect(done.name).toBe('victim');
    const table = await dcos(['task', '--completed', 'victim']);
    expect(table.stdout).toMatch(new RegExp(`^victim\\s+\\S+\\s+\\S+\\s+TASK_KILLED\\s+${victim.id.replace('.', '\\.')}\\s+---$`, 'm'));
    const active: Json[] = JSON.parse((await dcos(['task', '--json'])).stdout);
    expect(active.some((t) => t.id === victim.id)).toBe(false);
    const [replacement] = await running('/victim', 1);
    const all: Json[] = JSON.parse((await dcos(['task', 'victim', '--all', '--json'])).stdout);
    expect(all.map((t) => t.id)).toEqual(expect.arrayContaining([victim.id, replacement.id]));
  });

  it('prints the last lines of a task, of stderr or another file', async () => {
    const fragment = talkers[0].slice(-8);
    const ten = await dcos(['task', 'log', fragment]);
    expect(ten.exitCode, ten.stderr).toBe(0);
    expect(logLines(ten.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${21 + i}`));
    expect(logLines((await dcos(['task', 'log', talkers[0], '--lines', '3'])).stdout)).toEqual(['line 28', 'line 29', 'line 30']);
    expect(logLines((await dcos(['task', 'log', talkers[0], '--stderr', '--lines', '2'])).stdout)).toEqual(['warn 29', 'warn 30']);
    expect(logLines((await dcos(['task', 'log', talkers[0], 'stderr', '--lines', '1'])).stdout)).toEqual(['warn 30']);

    const missing = await dcos(['task', 'log', talkers[0], 'nope.log']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`No file 'nope.log' in the sandbox of task ${talkers[0]}`);
    const unknown = await dcos(['task', 'log', 'zzz-no-such']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("no task ID found containing 'zzz-no-such'");
    const several = await dcos(['task', 'log', 'talker.']);
    expect(several.exitCode).toBe(1);
    expect(several.stderr).toContain("several tasks match 'talker.'");
    expect(several.stderr).toContain(talkers[1]);
  });

  it('prints the lines of every task of an app, each prefixed with its task id', async () => {
    const short = (id: string) => id.slice(0, 'talker.'.length + 8);
    for (const arg of ['talker', '/talker']) {
      const res = await dcos(['task', 'log', arg, '--lines', '2']);
      expect(res.exitCode, res.stderr).toBe(0);
      const lines = logLines(res.stdout);
      expect(lines).toHaveLength(4);
      // Each task's lines together, in order.
      expect(lines[0].slice(0, -2)).toBe(lines[1].slice(0, -2));
      expect([...lines].sort()).toEqual(talkers.flatMap((id) => [`${short(id)} | line 29`, `${short(id)} | line 30`]).sort());
    }
    const idle = await dcos(['task', 'log', 'idle']);
    expect(idle.exitCode).toBe(1);
    expect(idle.stderr).toContain("App '/idle' has no running tasks");
    const badLines = await dcos(['task', 'log', 'talker', '--lines', 'bogus']);
    expect(badLines.exitCode).toBe(2);
    expect(badLines.stderr).toContain('"bogus" is not a non-negative integer');
    const unknownApp = await dcos(['task', 'log', '/talkr']);
    expect(unknownApp.exitCode).toBe(1);
    expect(unknownApp.stderr).toContain("App '/talkr' does not exist");
    expect(unknownApp.stderr).toContain('"/talker"');
  });

  it('follows one task with --follow until interrupted', async () => {
    const [ticker] = await running('/ticker', 1);
    const controller = new AbortController();
    const pending = dcos(['task', 'log', ticker.id, '--follow', '--lines', '2'], { signal: controller.signal });
    await sleep(2500);
    controller.abort();
    const res = await pending;
    expect(res.exitCode).toBe(130);
    // Ctrl-C is how a follow ends: no error is reported.
    expect(res.stderr).not.toContain('Error');
    expect(res.stderr).not.toContain('Interrupted');
    const numbers = allLines(res.stdout).map((l) => Number(/^tick (\d+)$/.exec(l)?.[1]));
    // Two lines of tail, then ~12 new ones: consecutive, none twice, none missing.
    expect(numbers.length).toBeGreaterThan(6);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
  }, 20_000);

  it('follows an app across a replaced task, never printing a line twice', async () => {
    const [old] = await running('/ticker', 1);
    const controller = new AbortController();
    const pending = dcos(['task', 'log', '/ticker', '--follow', '--lines', '3'], { signal: controller.signal });
    await sleep(1500);
    expect((await dcos(['marathon', 'task', 'kill', old.id])).exitCode).toBe(0);
    const [fresh] = await waitFor('a replacement ticker', async () => {
      const tasks = await running('/ticker', 1);
      return tasks[0].id !== old.id ? tasks : undefined;
    });
    await sleep(3500); // the task list is checked every 2 s, files every 0.5 s
    controller.abort();
    const res = await pending;
    expect(res.exitCode).toBe(130);
    expect(res.stderr).not.toContain('Interrupted');
    const lines = allLines(res.stdout);
    expect(new Set(lines).size).toBe(lines.length);
    const of = (id: string) => lines.filter((l) => l.startsWith(`${id.slice(0, 'ticker.'.length + 8)} | `)).map((l) => Number(/tick (\d+)$/.exec(l)?.[1]));
    const before = of(old.id);
    const after = of(fresh.id);
    expect(before.length).toBeGreaterThan(5);
    expect(before).toEqual(before.map((_, i) => before[0] + i));
    // The new task is read from its very first line.
    expect(after.slice(0, 3)).toEqual([0, 1, 2]);
    expect(after).toEqual(after.map((_, i) => i));
    expect(before.length + after.length).toBe(lines.length);
  }, 40_000);

  it("lists a task's sandbox, short and long, and refuses paths outside it", async () => {
    const names = await dcos(['task', 'ls', talkers[0]]);
    expect(names.exitCode, names.stderr).toBe(0);
    expect(names.stdout.split('\n')).toEqual(expect.arrayContaining(['stdout', 'stderr']));
    const long = await dcos(['task', 'ls', talkers[0], '--long']);
    const [header, ...rows] = long.stdout.trimEnd().split('\n');
    expect(header.split(/\s+/)).toEqual(['MODE', 'NLINK', 'UID', 'GID', 'SIZE', 'DATE', 'NAME']);
    const stdoutRow = rows.find((r) => r.endsWith(' stdout'));
    expect(stdoutRow).toMatch(/^-[rwx-]{9}\s+1\s+\S+\s+\S+\s+\d+\s+[A-Z][a-z]{2} \d{2} \d{2}:\d{2}\s+stdout$/);
    // "line 1\n" ... "line 30\n": 9 × 7 + 21 × 8 bytes.
    expect(stdoutRow?.split(/\s+/)[4]).toBe('231');
    const file = await dcos(['task', 'ls', talkers[0], 'stdout']);
    expect(file.stdout).toBe('stdout\n');

    const missing = await dcos(['task', 'ls', talkers[0], 'nope']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("cannot access 'nope': no such file or directory");
    const outside = await dcos(['task', 'ls', talkers[0], '../..']);
    expect(outside.exitCode).toBe(1);
    expect(outside.stderr).toContain("cannot access '../..': it is outside the sandbox");
    expect(outside.stdout).toBe('');
  });

  it('lists the agent with its address and resources', async () => {
    const res = await dcos(['node']);
    expect(res.exitCode, res.stderr).toBe(0);
    const [header, row, ...rest] = res.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header.split(/\s+/)).toEqual(['HOSTNAME', 'IP', 'ID', 'TYPE', 'STATUS', 'CPUS', 'MEM', 'DISK']);
    const [, ip, id, type, status, cpus, mem] = row.split(/\s+/);
    expect(ip).toBe('127.0.0.1');
    expect(id).toMatch(/-S0$/);
    expect([type, status]).toEqual(['agent', 'active']);
    // Four tasks of 0.01 cpus and 8 MB each.
    expect(cpus).toMatch(/^0\.04\/\d+(\.\d+)?$/);
    expect(mem).toMatch(/^32\/\d+$/);
    const json: Json[] = JSON.parse((await dcos(['node', 'list', '--json'])).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ id, ip: '127.0.0.1', type: 'agent', status: 'active', active: true });
  });
});
