/** `fetch` into the sandbox (download, extract, checksum) and DOCKER container apps. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { DOCKER_DOUBLE, execCalls, PODMAN_DOUBLE } from './container-doubles.js';
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

  it('runs the container through the runtime binary (a test double that runs the command locally)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcos-it-docker-double-'));
    const double = join(dir, 'docker-test-double.sh');
    writeFileSync(double, DOCKER_DOUBLE);
    chmodSync(double, 0o755);
    try {
      const d = await startDaemon({ env: { DCOS_CONTAINER_RUNTIME: double } });
      await createApp(d, dockerApp('/docker/double'));
      const [task] = await waitRunning(d, '/docker/double', 1);
      const sandbox = await sandboxOf(d, task.id);
      const out = await waitSandboxFile(d, `${sandbox}/stdout`, (t) => t.includes('\n'), 'stdout of the container task');
      expect(out).toBe(`in-container image=example.org/app:1.0 task=${task.id} sandbox=/mnt/mesos/sandbox\n`);
      const calls = readFileSync(join(dir, 'double-invocations.log'), 'utf8').trim().split('\n');
      expect(calls[0]).toMatch(/^info/);
      const run = calls.find((c) => c.startsWith('run '));
      expect(run).toBeDefined();
      expect(run).toContain('--rm');
      expect(run).toContain(`-v ${sandbox}:/mnt/mesos/sandbox`);
      expect(run).toContain('--entrypoint /bin/sh example.org/app:1.0 -c');
      // The container task is killed like any task.
      expect((await d.api('DELETE', '/v2/apps/docker/double')).status).toBe(200);
      await waitFor(() => d.taskProcesses().length === 0, { what: 'the container task process gone' });
    } finally {
      await stopAllDaemons();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs COMMAND health checks inside the task container, through the runtime exec, as the app user', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcos-it-docker-health-'));
    const double = join(dir, 'docker-test-double.sh');
    writeFileSync(double, DOCKER_DOUBLE);
    chmodSync(double, 0o755);
    const answer = (value: string) => writeFileSync(join(dir, 'exec-answer'), value);
    // A tool of the image, not of this node: run on the node, the check could never pass.
    const command = '/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$HOST:9092" --list';
    const me = userInfo();
    try {
      const d = await startDaemon({ env: { DCOS_CONTAINER_RUNTIME: double } });
      const results = async () => (await getApp(d, '/docker/checked')).tasks[0]?.healthCheckResults?.[0];
      await createApp(d, {
        ...dockerApp('/docker/checked'),
        user: me.username,
        healthChecks: [{ protocol: 'COMMAND', command: { value: command }, intervalSeconds: 1, timeoutSeconds: 2, gracePeriodSeconds: 0, maxConsecutiveFailures: 0 }],
      });
      const [task] = await waitRunning(d, '/docker/checked', 1, { healthy: true, timeoutMs: 30_000 });
      // The container the task runs in, by the name the daemon gave it at `run`.
      const run = readFileSync(join(dir, 'double-invocations.log'), 'utf8').split('\n').find((c) => c.startsWith('run '));
      const name = /--name (\S+)/.exec(run ?? '')?.[1];
      expect(name).toContain(task.id);
      const execs = execCalls(readFileSync(join(dir, 'exec-invocations.log'), 'utf8'));
      expect(execs.length).toBeGreaterThan(0);
      for (const argv of execs) expect(argv).toEqual(['exec', `--user=${me.uid}:${me.gid}`, name, '/bin/sh', '-c', command]);

      // Unhealthy while the exec fails, healthy again when it passes: the exec's exit code decides.
      answer('1');
      const failed = await waitFor(async () => {
        const r = await results();
        return r && r.alive === false && r.consecutiveFailures >= 1 ? r : undefined;
      }, { what: 'the check failing with the exec', timeoutMs: 30_000 });
      expect(failed.lastFailureCause).toBe('command exited with 1: check failed in the container (test double)');
      expect((await getApp(d, '/docker/checked')).tasksUnhealthy).toBe(1);
      answer('0');
      await waitFor(async () => (await results())?.alive === true, { what: 'the check passing again', timeoutMs: 30_000 });

      // An exec that outlives the check's timeout fails the check and is killed.
      rmSync(join(dir, 'exec-hanging.pid'), { force: true });
      answer('hang');
      const timedOut = await waitFor(async () => {
        const r = await results();
        return r && r.alive === false && /timed out after 2s/.test(r.lastFailureCause ?? '') ? r : undefined;
      }, { what: 'the check timing out', timeoutMs: 30_000 });
      expect(timedOut.lastFailureCause).toBe('timed out after 2s');
      const hung = Number(readFileSync(join(dir, 'exec-hanging.pid'), 'utf8'));
      await waitFor(() => !isAlive(hung), { what: `the hanging exec ${hung} killed`, timeoutMs: 10_000 });
      answer('0');
      expect((await d.api('DELETE', '/v2/apps/docker/checked')).status).toBe(200);
      await waitFor(() => d.taskProcesses().length === 0, { what: 'the container task process gone' });
    } finally {
      await stopAllDaemons();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a node with only Podman runs container apps with it, and its log says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcos-it-podman-double-'));
    const podman = join(dir, 'podman');
    writeFileSync(podman, PODMAN_DOUBLE);
    // Found first on PATH for "docker": a client without an engine, as on this machine.
    writeFileSync(join(dir, 'docker'), '#!/bin/sh\necho "Cannot connect to the Docker daemon" >&2\nexit 1\n');
    chmodSync(podman, 0o755);
    chmodSync(join(dir, 'docker'), 0o755);
    try {
      const d = await startDaemon({ env: { PATH: `${dir}:${process.env.PATH ?? ''}` } });
      await createApp(d, dockerApp('/docker/podman'));
      const [task] = await waitRunning(d, '/docker/podman', 1);
      const out = await waitSandboxFile(d, `${await sandboxOf(d, task.id)}/stdout`, (t) => t.includes('\n'), 'stdout of the container task');
      expect(out).toBe(`in-container image=example.org/app:1.0 task=${task.id} sandbox=/mnt/mesos/sandbox\n`);
      const calls = readFileSync(join(dir, 'double-invocations.log'), 'utf8').trim().split('\n');
      expect(calls[0]).toBe('version --format {{.Version}}');
      expect(calls.some((c) => c.startsWith('run --rm'))).toBe(true);
      expect(d.log()).toContain(`container runtime: podman 4.3.1-test-double (${podman})`);
    } finally {
      await stopAllDaemons();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Whether `pid` is a live process (a zombie waiting for its parent counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
