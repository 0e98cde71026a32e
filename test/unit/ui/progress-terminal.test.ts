/**
 * The reporter in a real process: bundled with esbuild (as the CLI is), run under a
 * pseudo-terminal (python3's pty) and with plain pipes. A loader hook records every module file
 * the process loads, so the test can tell whether the ink chunk was loaded at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TITLE } from './fixtures.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SGR_COLOUR = /\u001b\[(3[1-7]|1)m/;
const CURSOR_MOVES = /\u001b\[\d*[AK]|\u001b\[2K/;

const DRIVER = `
import { PassThrough } from 'node:stream';
import { createCtx } from ${JSON.stringify(join(ROOT, 'src/core/context.ts'))};
import { createProgress } from ${JSON.stringify(join(ROOT, 'src/ui/progress.ts'))};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const uuid = (c) => c.repeat(8) + '-1111-4222-8333-444455556666';
const task = (c, state, healthy, healthCause, port) =>
  ({ id: 'hello-world.' + uuid(c), state, healthy, healthCause, version: 'v1', host: '127.0.0.1', ports: [port] });
const base = { appId: '/hello-world', goal: 'running', deploymentId: 'd1e2f3a4', instances: 2, hasHealthChecks: true, startedAt: Date.now(), elapsedMs: 0 };
const snapshots = [
  { ...base, step: { current: 1, total: 2, actions: ['StartApplication'] }, tasks: [task('a', 'TASK_STAGING', false, null, 10001)], running: 0, healthy: 0,
    queue: { count: 1, reason: 'insufficient cpus', delaySeconds: 5 } },
  { ...base, step: { current: 2, total: 2, actions: ['ScaleApplication'] }, tasks: [task('a', 'TASK_RUNNING', false, 'HTTP 503', 10001), task('b', 'TASK_RUNNING', false, null, 10002)], running: 2, healthy: 0 },
  { ...base, tasks: [task('a', 'TASK_RUNNING', true, null, 10001), task('b', 'TASK_RUNNING', true, null, 10002)], running: 2, healthy: 2 },
];
const messages = ['deployment d1e2f3a4: step 1/2 StartApplication', 'task hello-world.a TASK_RUNNING, unhealthy (HTTP 503)', '2/2 running, 2/2 healthy'];

const ctx = createCtx({
  stdout: process.stdout, stderr: process.stderr, stdin: new PassThrough(), env: process.env, cwd: process.cwd(),
  global: { json: process.argv.includes('--json') },
});
const progress = await createProgress(ctx, ${JSON.stringify(TITLE)});
for (let i = 0; i < snapshots.length; i++) {
  progress.onEvent({ type: 'snapshot', snapshot: snapshots[i] });
  progress.onEvent({ type: 'change', at: new Date(2026, 0, 2, 13, 4, 5 + i), message: messages[i] });
  await sleep(150);
}
await progress.close();
process.stdout.write('DRIVER DONE\\n');
`;

const PROBE = `
import { register } from 'node:module';
register(new URL('./probe-hooks.mjs', import.meta.url));
`;
const PROBE_HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.UI_PROBE_FILE, url + '\\n');
  return next(url, context);
}
`;

/** Runs argv with stdin, stdout and stderr on one pty of 100x30; prints what the terminal got. */
const PTY = `
import fcntl, os, pty, struct, subprocess, sys, termios
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 100, 0, 0))
child = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
out = b''
while True:
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
sys.stdout.buffer.write(out)
sys.exit(child.wait())
`;

let dir: string;
let inkChunks: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dcos-ui-pty-'));
  writeFileSync(join(dir, 'driver.mjs'), DRIVER);
  writeFileSync(join(dir, 'probe.mjs'), PROBE);
  writeFileSync(join(dir, 'probe-hooks.mjs'), PROBE_HOOKS);
  writeFileSync(join(dir, 'run-in-pty.py'), PTY);
  writeFileSync(join(dir, 'empty.mjs'), 'export default {};\n');
  const result = await build({
    entryPoints: [join(dir, 'driver.mjs')],
    outdir: join(dir, 'out'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    // As scripts/build.mjs does: ink's optional devtools import, and require() in bundled CommonJS.
    alias: { 'react-devtools-core': join(dir, 'empty.mjs') },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  // The output files that hold ink: the ones the live view brings in.
  inkChunks = Object.entries(result.metafile.outputs)
    .filter(([, out]) => Object.keys(out.inputs).some((input) => input.includes('node_modules/ink/')))
    .map(([path]) => resolve(ROOT, path));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(mode: 'pty' | 'pipe', env: Record<string, string> = {}, args: string[] = []) {
  const probeFile = join(dir, `probe-${Math.random().toString(36).slice(2)}.txt`);
  const node = [process.execPath, '--import', join(dir, 'probe.mjs'), join(dir, 'out', 'driver.mjs'), ...args];
  const cleanEnv: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, DCOS_DIR: join(dir, 'dcos'), TERM: 'xterm-256color', UI_PROBE_FILE: probeFile, ...env };
  const child = mode === 'pty' ? spawnSync('python3', [join(dir, 'run-in-pty.py'), ...node], { env: cleanEnv, encoding: 'utf8', timeout: 30_000 }) : spawnSync(node[0], node.slice(1), { env: cleanEnv, encoding: 'utf8', timeout: 30_000 });
  const loaded = existsSync(probeFile) ? readFileSync(probeFile, 'utf8').split('\n').filter(Boolean).map((u) => (u.startsWith('file:') ? fileURLToPath(u) : u)) : [];
  return { ...child, loaded, loadedInk: loaded.some((f) => inkChunks.includes(f)) };
}

describe('progress in a real process', () => {
  it('bundles the live view (and ink) into a chunk of its own', () => {
    expect(inkChunks.length).toBeGreaterThan(0);
    expect(inkChunks.map((p) => relative(dir, p))).not.toContain(join('out', 'driver.mjs'));
  });

  it('draws the live view under a terminal: title, steps, task rows, redrawn in place, in colour', () => {
    const r = run('pty');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain(TITLE);
    expect(out).toContain('step 1/2: StartApplication');
    expect(out).toContain('waiting to place 1 task(s): insufficient cpus (next try in 5s)');
    expect(out).toMatch(/hello-world\.aaaaaaaa {2}.*running.* {2}127\.0\.0\.1:10001 {2}.*unhealthy: HTTP 503/);
    expect(out).toContain('2/2 running, 2/2 healthy');
    expect(out).toMatch(/hello-world\.bbbbbbbb {2}.*running.* {2}127\.0\.0\.1:10002 {2}.*healthy/);
    // Redrawn in place: erase-line and cursor-up codes between frames, the title drawn more than once.
    expect(out).toMatch(CURSOR_MOVES);
    expect(out.split(TITLE).length - 1).toBeGreaterThan(1);
    expect(out).toMatch(SGR_COLOUR);
    // No plain change lines in the live view, and the data on stdout comes after the final frame.
    expect(out).not.toMatch(/\d\d:\d\d:\d\d deployment/);
    expect(out.lastIndexOf('DRIVER DONE')).toBeGreaterThan(out.lastIndexOf('2/2 running, 2/2 healthy'));
    expect(r.loadedInk).toBe(true);
  });

  it('draws without colour under a terminal with NO_COLOR', () => {
    const r = run('pty', { NO_COLOR: '1' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('2/2 running, 2/2 healthy');
    expect(r.stdout).toMatch(CURSOR_MOVES);
    expect(r.stdout).not.toMatch(SGR_COLOUR);
  });

  it('prints only timestamped lines, without loading ink, when stdout is a pipe', () => {
    const r = run('pipe');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      '13:04:05 deployment d1e2f3a4: step 1/2 StartApplication\n' +
        '13:04:06 task hello-world.a TASK_RUNNING, unhealthy (HTTP 503)\n' +
        '13:04:07 2/2 running, 2/2 healthy\n',
    );
    expect(r.stdout).toBe('DRIVER DONE\n');
    expect(r.loaded.length).toBeGreaterThan(0);
    expect(r.loadedInk).toBe(false);
  });

  it('prints plain lines under a terminal in CI, and JSON lines with --json', () => {
    const ci = run('pty', { CI: 'true' });
    expect(ci.status, ci.stdout).toBe(0);
    expect(ci.stdout).toBe('13:04:05 deployment d1e2f3a4: step 1/2 StartApplication\r\n13:04:06 task hello-world.a TASK_RUNNING, unhealthy (HTTP 503)\r\n13:04:07 2/2 running, 2/2 healthy\r\nDRIVER DONE\r\n');
    expect(ci.loadedInk).toBe(false);

    const json = run('pipe', {}, ['--json']);
    expect(json.status, json.stderr).toBe(0);
    const lines = json.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.progress.message)).toEqual(['deployment d1e2f3a4: step 1/2 StartApplication', 'task hello-world.a TASK_RUNNING, unhealthy (HTTP 503)', '2/2 running, 2/2 healthy']);
    expect(new Date(lines[0].progress.at).getSeconds()).toBe(5);
    expect(json.stderr).not.toMatch(/\u001b/);
    expect(json.loadedInk).toBe(false);
  });
});
