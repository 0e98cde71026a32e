/**
 * The files API against a hostile task: one that plants a FIFO in its sandbox (whose open would
 * block until a writer comes), or swaps a directory of its sandbox for a symlink to `/` between
 * the API's check of a path and its open.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
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

describe('a directory swapped for a symlink while it is read', () => {
  it('never serves a file or listing from outside the sandbox', { timeout: 90_000 }, async () => {
    // `dir` flips between a real directory (harmless etc/passwd) and a symlink to `/`, for a
    // bounded number of rounds; `ready` says the flipping has begun.
    const cmd = [
      'mkdir -p dir/etc; echo harmless > dir/etc/passwd; touch ready',
      'i=0; while [ $i -lt 20000 ]; do mv dir dir.real && ln -s / dir; rm dir && mv dir.real dir; i=$((i+1)); done',
      'sleep 1000',
    ].join('; ');
    await createApp(d, { id: '/swapper', cmd, cpus: 0.01, mem: 16, portDefinitions: [] });
    const [task] = await waitRunning(d, '/swapper', 1);
    const sandbox = await sandboxOf(d, task.id);
    await waitSandboxFile(d, `${sandbox}/ready`, () => true, 'the swapping begun');

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
