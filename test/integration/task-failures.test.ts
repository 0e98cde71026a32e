/** Tasks that fail before their process runs still have a sandbox that says why (Mesos files API). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMANENT_FAILURE_MARK } from '../../src/core/task-failure.js';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { createApp, getApp, readSandboxFile, sandboxOf, sleeper, type Json } from './support.js';

let d: TestDaemon;
let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dcos-it-failures-'));
  writeFileSync(join(work, 'payload.txt'), 'payload\n');
  d = await startDaemon({ env: { DCOS_CONTAINER_RUNTIME: 'none' } });
});
afterAll(async () => {
  await stopAllDaemons();
  rmSync(work, { recursive: true, force: true });
});

async function browse(path: string): Promise<Json[]> {
  const res = await d.api('GET', `/slave/${d.agentId}/files/browse.json?path=${encodeURIComponent(path)}`);
  expect(res.status, res.text).toBe(200);
  return res.json;
}

describe('a task that cannot start', () => {
  it.each([
    ['no container runtime', { container: { type: 'DOCKER', docker: { image: 'example.org/app:1.0' } } }, 'neither Docker nor Podman is available on this node', true],
    // A file that may appear later: worth retrying.
    ['a fetch failure', { fetch: [{ uri: 'file:///nonexistent/dcos-it/missing.tgz' }] }, 'Failed to fetch file:///nonexistent/dcos-it/missing.tgz: not found', false],
    ['a checksum mismatch', { fetch: [{ uri: 'PAYLOAD', checksum: `sha256:${'0'.repeat(64)}` }] }, 'Checksum mismatch for', true],
    ['a missing command', { cmd: null, args: ['/nonexistent/dcos-it/program'] }, 'Cannot run "/nonexistent/dcos-it/program": command not found', true],
  ])('has a sandbox whose stdout and stderr say why: %s', async (what, extra, reason, permanent) => {
    const id = `/failures/${what.replace(/ /g, '-')}`;
    const app = JSON.parse(JSON.stringify(extra).replace('"PAYLOAD"', JSON.stringify(join(work, 'payload.txt'))));
    await createApp(d, sleeper(id, { backoffSeconds: 60, ...app }));
    const failure = await waitFor(async () => (await getApp(d, id)).lastTaskFailure, { what: `the failure of ${id}` });
    expect(failure.state).toBe('TASK_FAILED');
    expect(failure.message).toContain(reason);
    // The agent's verdict that no retry will help, for the CLI's wait to stop at once.
    expect(failure.message.endsWith(` ${PERMANENT_FAILURE_MARK}`)).toBe(permanent);

    const sandbox = await sandboxOf(d, failure.taskId);
    const listing = (await browse(sandbox)).map((e: Json) => e.path);
    expect(listing).toEqual(expect.arrayContaining([`${sandbox}/stdout`, `${sandbox}/stderr`]));
    const line = `dcos-agent: cannot start task: ${failure.message}\n`;
    expect(await readSandboxFile(d, `${sandbox}/stderr`)).toContain(line);
    expect(await readSandboxFile(d, `${sandbox}/stdout`)).toContain(line);
    expect(line).toContain(reason);
  });
});
