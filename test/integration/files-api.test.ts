/**
 * The files API against a hostile task: one that plants a FIFO or a UNIX socket in its sandbox
 * (whose open would block until a writer comes, or fail), or swaps a directory of its sandbox for
 * a symlink to `/` or to a device directory between the API's check of a path and its open.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { createApp, sandboxOf, waitRunning, waitSandboxFile, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

const files = (kind: 'read' | 'browse', path: string) => `/slave/${d.agentId}/files/${kind}.json?path=${encodeURIComponent(path)}`;

/** The API call, failing (not hanging) when it takes longer than `ms`. */
async function timed(path: string, ms = 5000): Promise<{ status: number; text: string }> {
  const res = await fetch(d.url + path, { headers: { authorization: `token=${d.token}` }, signal: AbortSignal.timeout(ms) });
  return { status: res.status, text: await res.text() };
}

describe('a FIFO in a sandbox', () => {
  it('is refused at once, and the files API and fetches of every task keep working', { timeout: 60_000 }, async () => {
    await createApp(d, { id: '/fifo', cmd: 'echo hello; mkfifo pipe; touch ready; sleep 1000', cpus: 0.01, mem: 16, portDefinitions: [] });
    const [task] = await waitRunning(d, '/fifo', 1);
    const sandbox = await sandboxOf(d, task.id);
    await waitSandboxFile(d, `${sandbox}/ready`, () => true, 'the FIFO planted');

    // More reads than libuv has threads: a blocking open in each would stall every file operation.
    const reads = await Promise.all(Array.from({ length: 8 }, () => timed(files('read', `${sandbox}/pipe`))));
    for (const r of reads) {
      expect(r.status, r.text).toBe(400);
      expect(JSON.parse(r.text).message).toContain('is not a regular file');
    }
    const browsePipe = await timed(files('browse', `${sandbox}/pipe`));
    expect(browsePipe.status).toBe(404);
    const listing = await timed(files('browse', sandbox));
    expect(listing.status).toBe(200);
    expect(JSON.parse(listing.text).find((e: Json) => e.path === `${sandbox}/pipe`).mode).toMatch(/^p/);
    expect(JSON.parse((await timed(files('read', `${sandbox}/stdout`))).text).data).toBe('hello\n');

    // A new task's fetch goes through the same file operations.
    const payload = join(d.tmpDir, 'payload.txt');
    writeFileSync(payload, 'fetched\n');
    await createApp(d, { id: '/fetcher', cmd: 'cat payload.txt; sleep 1000', cpus: 0.01, mem: 16, portDefinitions: [], fetch: [{ uri: `file://${payload}` }] });
    const [fetched] = await waitRunning(d, '/fetcher', 1, { timeoutMs: 10_000 });
    expect(readFileSync(join(await sandboxOf(d, fetched.id), 'payload.txt'), 'utf8')).toBe('fetched\n');
  });
});

describe('a UNIX socket in a sandbox', () => {
  it('is a 400 that says it is a socket, not a 500', { timeout: 60_000 }, async () => {
    const listen = `require('net').createServer().listen('sock', () => require('fs').writeFileSync('ready', ''))`;
    await createApp(d, { id: '/socket', cmd: `${JSON.stringify(process.execPath)} -e "${listen}"`, cpus: 0.01, mem: 16, portDefinitions: [] });
    const [task] = await waitRunning(d, '/socket', 1);
    const sandbox = await sandboxOf(d, task.id);
    await waitSandboxFile(d, `${sandbox}/ready`, () => true, 'the socket listening');

    const read = await timed(files('read', `${sandbox}/sock`));
    expect(read.status, read.text).toBe(400);
    expect(JSON.parse(read.text).message).toBe(`'${sandbox}/sock' is not a regular file: it is a socket`);
    const browsed = await timed(files('browse', `${sandbox}/sock`));
    expect(browsed.status, browsed.text).toBe(404);
    expect(JSON.parse(browsed.text).message).toContain('it is a socket');
    const listing = await timed(files('browse', sandbox));
    expect(JSON.parse(listing.text).find((e: Json) => e.path === `${sandbox}/sock`).mode).toMatch(/^s/);
    expect((await d.api('DELETE', '/v2/apps/socket')).status).toBe(200);
  });
});

/**
 * A task that flips `<dir>` of its sandbox between a real directory (holding `<file>` with harmless
 * content) and a symlink to `target`, in one process, for at most `rounds` flips and `ms`
 * milliseconds; `ready` says the flipping has begun, `done` that it is over (the directory in
 * place again). It then idles until the test deletes it. Each state is held for a millisecond or
 * so (sleeping, not spinning): the real directory long enough to be served now and then, and the
 * flips still hundreds a second, so that many land between the API's check of a path and its open.
 */
function swapperApp(id: string, swap: { dir: string; file: string; target: string; rounds: number; ms: number }) {
  const script = join(d.tmpDir, `swapper-${swap.dir}.cjs`);
  writeFileSync(
    script,
    `const fs = require('node:fs');
const [dir, file, target, rounds, ms] = process.argv.slice(2);
fs.mkdirSync(require('node:path').dirname(dir + '/' + file), { recursive: true });
fs.writeFileSync(dir + '/' + file, 'harmless\\n');
fs.writeFileSync('ready', '');
const hold = (millis) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, millis);
const end = Date.now() + Number(ms);
let i = 0;
for (; i < Number(rounds) && Date.now() < end; i++) {
  fs.renameSync(dir, dir + '.real');
  fs.symlinkSync(target, dir);
  hold(i % 2);
  fs.unlinkSync(dir);
  fs.renameSync(dir + '.real', dir);
  hold(1);
}
fs.writeFileSync('done', String(i));
setInterval(() => {}, 1 << 30);
`,
  );
  const argv = [process.execPath, script, swap.dir, swap.file, swap.target, String(swap.rounds), String(swap.ms)];
  return { id, cmd: argv.map((a) => JSON.stringify(a)).join(' '), cpus: 0.01, mem: 32, portDefinitions: [] };
}

/** Runs the swapper, gives the test its sandbox, and deletes the app after, waiting for its process to be gone. */
async function withSwapper(id: string, swap: Parameters<typeof swapperApp>[1], body: (sandbox: string) => Promise<void>): Promise<void> {
  await createApp(d, swapperApp(id, swap));
  const [task] = await waitRunning(d, id, 1);
  try {
    const sandbox = await sandboxOf(d, task.id);
    await waitSandboxFile(d, `${sandbox}/ready`, () => true, 'the swapping begun');
    await body(sandbox);
  } finally {
    expect((await d.api('DELETE', `/v2/apps${id}`)).status).toBe(200);
    await waitFor(() => d.taskProcesses().every((p) => p.taskId !== task.id), { what: `the process of ${task.id} gone`, timeoutMs: 15_000 });
  }
}

describe('a directory swapped for a symlink while it is read', () => {
  it('never serves a file or listing from outside the sandbox', { timeout: 90_000 }, async () => {
    await withSwapper('/swapper', { dir: 'dir', file: 'etc/passwd', target: '/', rounds: 100_000, ms: 40_000 }, async (sandbox) => {
      let served = 0;
      const deadline = Date.now() + 30_000;
      for (let i = 0; i < 400 && Date.now() < deadline; i++) {
        const read = await timed(files('read', `${sandbox}/dir/etc/passwd`));
        expect(read.text, `read ${i}`).not.toContain('root:');
        if (read.status === 200) {
          served++;
          expect(JSON.parse(read.text).data).toBe('harmless\n');
        } else {
          expect([403, 404], read.text).toContain(read.status);
        }
        const listing = await timed(files('browse', `${sandbox}/dir/etc`));
        if (listing.status === 200) {
          expect(JSON.parse(listing.text).map((e: Json) => e.path), `browse ${i}`).toEqual([`${sandbox}/dir/etc/passwd`]);
        } else {
          expect([403, 404], listing.text).toContain(listing.status);
        }
      }
      // The harmless file itself is still served whenever the directory is in place.
      expect(served).toBeGreaterThan(0);
    });
  });

  it('never opens a device the symlink leads to (a FIFO outside the sandbox plays one that acts on open)', { timeout: 90_000 }, async () => {
    // `devices` stands for /dev, `watchdog` for a device whose open has an effect. Its writer
    // blocks until some process opens it for reading, and then leaves `opened` behind.
    const devices = join(d.tmpDir, 'devices');
    const watchdog = join(devices, 'watchdog');
    const opened = join(d.tmpDir, 'opened');
    mkdirSync(devices);
    execFileSync('mkfifo', [watchdog]);
    const writer: ChildProcess = spawn('sh', ['-c', ': > "$1" && touch "$2"', 'sh', watchdog, opened], { stdio: 'ignore' });
    try {
      await withSwapper('/devswapper', { dir: 'dev', file: 'watchdog', target: devices, rounds: 100_000, ms: 40_000 }, async (sandbox) => {
        let served = 0;
        const deadline = Date.now() + 30_000;
        for (let i = 0; i < 400 && Date.now() < deadline && !existsSync(opened); i++) {
          const read = await timed(files('read', `${sandbox}/dev/watchdog`));
          if (read.status === 200) {
            served++;
            expect(JSON.parse(read.text).data).toBe('harmless\n');
          } else {
            expect([403, 404], read.text).toContain(read.status);
          }
        }
        expect(served).toBeGreaterThan(0);
      });
      // The writer learns of any open at once; give it a moment to say so.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(existsSync(opened), 'the daemon opened the "device" outside the sandbox').toBe(false);
      expect(writer.exitCode, 'the writer still waits for a reader').toBeNull();
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
