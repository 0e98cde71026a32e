/** `fetch` into the sandbox (download, extract, checksum) and DOCKER container apps. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { DOCKER_DOUBLE } from './container-doubles.js';
import { createApp, getApp, sandboxOf, sleeper, waitRunning, waitSandboxFile, type Json } from './support.js';

let work: string;
let server: Server;
let base: string;
let archive: Buffer;
const requests: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dcos-it-fetch-'));
  mkdirSync(join(work, 'src', 'payload'), { recursive: true });
  writeFileSync(join(work, 'src', 'payload', 'hello.txt'), 'hello from the archive\n');
  execFileSync('tar', ['czf', join(work, 'payload.tar.gz'), '-C', join(work, 'src'), 'payload']);
  archive = readFileSync(join(work, 'payload.tar.gz'));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/payload.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.end(archive);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
});
afterEach(stopAllDaemons);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

async function failure(d: TestDaemon, id: string): Promise<Json> {
  return waitFor(async () => (await getApp(d, id)).lastTaskFailure, { what: `lastTaskFailure of ${id}` });
}

describe('fetch', () => {
  it('downloads a tar.gz from an HTTP server and extracts it into the sandbox; a missing URL fails with 404', async () => {
    const d = await startDaemon();
    const sha = createHash('sha256').update(archive).digest('hex');
    await createApp(d, sleeper('/fetch/http', { cmd: 'cat payload/hello.txt && sleep 1000', fetch: [{ uri: `${base}/payload.tar.gz`, checksum: `sha256:${sha}` }] }));
    // Fail at the first failed launch rather than at a timeout, and say why.
    const app = await waitFor(async () => {
      const a = await getApp(d, '/fetch/http');
      return a.tasksRunning === 1 || a.lastTaskFailure ? a : undefined;
    }, { what: 'the fetching task to run or fail' });
    expect(app.lastTaskFailure, JSON.stringify(app.lastTaskFailure)).toBeUndefined();
    const sandbox = await sandboxOf(d, app.tasks[0].id);
    expect(await waitSandboxFile(d, `${sandbox}/stdout`, (t) => t.length > 0, 'stdout')).toBe('hello from the archive\n');
    const listing = (await d.api('GET', `/slave/${d.agentId}/files/browse.json?path=${encodeURIComponent(sandbox)}`)).json.map((e: Json) => e.path);
    expect(listing).toEqual(expect.arrayContaining([`${sandbox}/payload`, `${sandbox}/payload.tar.gz`, `${sandbox}/stdout`]));
    expect(requests).toContain('/payload.tar.gz');

    const missing = await createApp(d, sleeper('/fetch/missing', { fetch: [{ uri: `${base}/nope.tgz` }], backoffSeconds: 60 }));
    expect(missing.fetch[0]).toMatchObject({ uri: `${base}/nope.tgz`, extract: true, executable: false, cache: false });
    const f = await failure(d, '/fetch/missing');
    expect(f.state).toBe('TASK_FAILED');
    expect(f.message).toContain(`${base}/nope.tgz`);
    expect(f.message).toMatch(/HTTP 404/);
  });

  it('a checksum mismatch fails the task and says so in lastTaskFailure (the right checksum passes)', async () => {
    const d = await startDaemon();
    const file = join(work, 'payload.tar.gz');
    await createApp(d, sleeper('/fetch/bad', { fetch: [{ uri: `file://${file}`, checksum: `sha256:${'0'.repeat(64)}` }], backoffSeconds: 60 }));
    const f = await failure(d, '/fetch/bad');
    expect(f.state).toBe('TASK_FAILED');
    expect(f.message).toMatch(/checksum/i);
    expect(f.message).toContain('payload.tar.gz');
    expect((await getApp(d, '/fetch/bad')).tasksRunning).toBe(0);

    const sha = createHash('sha256').update(archive).digest('hex');
    await createApp(d, sleeper('/fetch/good', { cmd: 'cat payload/hello.txt && sleep 1000', fetch: [{ uri: file, checksum: `sha256:${sha}` }] }));
    const [task] = await waitRunning(d, '/fetch/good', 1);
    const sandbox = await sandboxOf(d, task.id);
    expect(await waitSandboxFile(d, `${sandbox}/stdout`, (t) => t.length > 0, 'stdout')).toBe('hello from the archive\n');
  });
});

describe('DOCKER containers', () => {
  const dockerApp = (id: string) => ({
    id,
    cmd: 'echo "in-container image=$MARATHON_APP_DOCKER_IMAGE task=$MESOS_TASK_ID sandbox=$MESOS_SANDBOX" && sleep 1000',
    cpus: 0.01,
    mem: 16,
    backoffSeconds: 60,
    container: { type: 'DOCKER', docker: { image: 'example.org/app:1.0' } },
  });

  it('fails the task when neither Docker nor Podman is available', async () => {
    const d = await startDaemon({ env: { DCOS_CONTAINER_RUNTIME: 'none' } });
    await createApp(d, dockerApp('/docker/none'));
    const f = await failure(d, '/docker/none');
    expect(f.state).toBe('TASK_FAILED');
    expect(f.message).toContain('neither Docker nor Podman is available');
    expect(f.message).toContain('example.org/app:1.0');
  });

  it("drives Docker's CLI the Docker way (a test double of it: images by `image inspect`, output streamed, stop then rm)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcos-it-docker-double-'));
    const double = join(dir, 'docker-test-double.sh');
    writeFileSync(double, DOCKER_DOUBLE);
    chmodSync(double, 0o755);
    try {
      const d = await startDaemon({ env: { DCOS_CONTAINER_RUNTIME: double } });
      expect(d.log()).toContain(`container runtime: docker 24.0.0-test-double (${double})`);
      await createApp(d, dockerApp('/docker/double'));
      const [task] = await waitRunning(d, '/docker/double', 1);
      // Known (and said) by the time a container task starts.
      expect(d.log()).toContain('container limits: cpus and mem are enforced');
      const sandbox = await sandboxOf(d, task.id);
      const out = await waitSandboxFile(d, `${sandbox}/stdout`, (t) => t.includes('\n'), 'stdout of the container task');
      expect(out).toBe(`in-container image=example.org/app:1.0 task=${task.id} sandbox=/mnt/mesos/sandbox\n`);
      const calls = () => readFileSync(join(dir, 'double-invocations.log'), 'utf8').trim().split('\n');
      const name = `dcos-${task.id}`;
      expect(calls()).toContain('image inspect --format {{.Id}} example.org/app:1.0');
      const run = calls().find((c) => c.startsWith('run '));
      expect(run).toContain(`run --rm --name ${name} --label dcos.agent-id=${d.agentId} --label dcos.task-id=${task.id} --network host`);
      expect(run).toContain(`-v ${sandbox}:/mnt/mesos/sandbox`);
      expect(run).toContain('--cpus=0.01 --memory=16m --pull=never --entrypoint /bin/sh example.org/app:1.0 -c');
      // Docker's CLI streams the output; Podman's passthrough driver is not Docker's.
      expect(run).not.toContain('--log-driver');
      // The container task is killed by stopping its container, then removing it.
      expect((await d.api('DELETE', '/v2/apps/docker/double')).status).toBe(200);
      await waitFor(() => d.taskProcesses().length === 0, { what: 'the container task process gone' });
      await waitFor(() => calls().includes(`rm -f ${name}`), { what: 'the container removed' });
      expect(calls()).toContain(`stop --time 3 ${name}`);
    } finally {
      await stopAllDaemons();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
