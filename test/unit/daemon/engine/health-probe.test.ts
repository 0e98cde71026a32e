import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHealth, type ProbeTarget } from '../../../../src/daemon/engine/health-probe.js';
import type { HealthCheck } from '../../../../src/marathon/app-types.js';

const openSockets = new Set<net.Socket>();

function track(server: net.Server): void {
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
}

async function listen(server: net.Server): Promise<number> {
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A port nothing listens on: bind, read the number, close. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A killed orphan may linger as a zombie until its new parent reaps it; that still counts as dead. */
function isGoneOrZombie(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

const target = (ports: number[], extra: Partial<ProbeTarget> = {}): ProbeTarget => ({
  host: '127.0.0.1',
  ports,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  cwd: process.cwd(),
  ...extra,
});

describe('probeHealth: HTTP', () => {
  let port = 0;
  let requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/ok') res.end('fine');
    else if (req.url === '/fail') {
      res.statusCode = 500;
      res.end('broken');
    } else if (req.url === '/redirect') {
      res.writeHead(302, { Location: '/elsewhere' });
      res.end();
    } else if (req.url === '/not-found') {
      res.statusCode = 404;
      res.end();
    } else if (req.url === '/processing') {
      res.writeProcessing();
      // Never finishes: only the 1xx arrives.
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 5_000).unref();
    } else res.end('root');
  });

  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(async () => {
    for (const socket of openSockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const check = (extra: Partial<HealthCheck>): HealthCheck => ({ protocol: 'HTTP', portIndex: 0, ...extra });

  it('is healthy on 200', async () => {
    expect(await probeHealth(check({ path: '/ok' }), target([port]), 2_000)).toEqual({ ok: true });
  });

  it('is unhealthy on 500 and names status and URL', async () => {
    const result = await probeHealth(check({ path: '/fail' }), target([port]), 2_000);
    expect(result).toEqual({ ok: false, cause: `HTTP 500 from http://127.0.0.1:${port}/fail` });
  });

  it('treats a 3xx as healthy without following it', async () => {
    requests = [];
    expect(await probeHealth(check({ path: '/redirect' }), target([port]), 2_000)).toEqual({ ok: true });
    expect(requests).toEqual(['/redirect']);
  });

  it('is unhealthy on 404', async () => {
    expect((await probeHealth(check({ path: '/not-found' }), target([port]), 2_000)).ok).toBe(false);
  });

  it('requests "/" for a missing path and prefixes a relative one', async () => {
    requests = [];
    await probeHealth(check({}), target([port]), 2_000);
    await probeHealth(check({ path: 'ok' }), target([port]), 2_000);
    expect(requests).toEqual(['/', '/ok']);
  });

  it('uses portIndex into the task ports, and a fixed port over it', async () => {
    const closed = await closedPort();
    expect((await probeHealth(check({ path: '/ok', portIndex: 1 }), target([closed, port]), 2_000)).ok).toBe(true);
    expect((await probeHealth({ protocol: 'HTTP', path: '/ok', port }, target([closed]), 2_000)).ok).toBe(true);
  });

  it('fails clearly when the port index has no port', async () => {
    const result = await probeHealth(check({ portIndex: 2 }), target([port]), 2_000);
    expect(result.ok).toBe(false);
    expect(result.cause).toBe('no host port at portIndex 2 (the task has 1 port)');
  });

  it('reports a refused connection', async () => {
    const closed = await closedPort();
    const result = await probeHealth(check({ path: '/ok' }), target([closed]), 2_000);
    expect(result).toEqual({ ok: false, cause: `connection refused to 127.0.0.1:${closed}` });
  });

  it('times out on a slow server', async () => {
    const started = Date.now();
    const result = await probeHealth(check({ path: '/slow' }), target([port]), 300);
    expect(result).toEqual({ ok: false, cause: 'timed out after 0.3s' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails on a 1xx unless ignoreHttp1xx, which ignores it', async () => {
    const failed = await probeHealth(check({ path: '/processing' }), target([port]), 2_000);
    expect(failed).toEqual({ ok: false, cause: `HTTP 102 from http://127.0.0.1:${port}/processing` });
    const ignored = await probeHealth(check({ path: '/processing', ignoreHttp1xx: true }), target([port]), 2_000);
    expect(ignored.ignored).toBe(true);
  });

  it('runs MESOS_HTTP like HTTP', async () => {
    expect(await probeHealth({ protocol: 'MESOS_HTTP', path: '/ok', portIndex: 0 }, target([port]), 2_000)).toEqual({ ok: true });
  });

  it('leaves no socket open after many probes', async () => {
    await Promise.all(Array.from({ length: 50 }, () => probeHealth(check({ path: '/ok' }), target([port]), 2_000)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const count = await new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    expect(count).toBe(0);
  });
});

describe('probeHealth: HTTPS with a self-signed certificate', () => {
  let port = 0;
  let dir = '';
  let server: https.Server | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=test'], {
      stdio: 'ignore',
    });
    server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      res.statusCode = req.url === '/ok' ? 200 : 503;
      res.end();
    });
    port = await listen(server);
  });
  afterAll(async () => {
    for (const socket of openSockets) socket.destroy();
    if (server) await new Promise((resolve) => server!.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the certificate, as Marathon does, and applies the status rule', async () => {
    expect(await probeHealth({ protocol: 'HTTPS', path: '/ok', portIndex: 0 }, target([port]), 3_000)).toEqual({ ok: true });
    const bad = await probeHealth({ protocol: 'HTTPS', path: '/down', portIndex: 0 }, target([port]), 3_000);
    expect(bad).toEqual({ ok: false, cause: `HTTP 503 from https://127.0.0.1:${port}/down` });
  });
});

describe('probeHealth: TCP', () => {
  const server = net.createServer((socket) => socket.end());
  let port = 0;
  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('is healthy when the connection opens', async () => {
    expect(await probeHealth({ protocol: 'TCP', portIndex: 0 }, target([port]), 2_000)).toEqual({ ok: true });
    expect(await probeHealth({ protocol: 'MESOS_TCP', portIndex: 0 }, target([port]), 2_000)).toEqual({ ok: true });
  });

  it('is unhealthy when the port is closed', async () => {
    const closed = await closedPort();
    expect(await probeHealth({ protocol: 'TCP', portIndex: 0 }, target([closed]), 2_000)).toEqual({
      ok: false,
      cause: `connection refused to 127.0.0.1:${closed}`,
    });
  });
});

describe('probeHealth: COMMAND', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'probe-cmd-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const command = (value: string): HealthCheck => ({ protocol: 'COMMAND', command: { value } });

  it('is healthy on exit 0, using the task env and cwd', async () => {
    const check = command('test "$MARKER" = yes && test "$(pwd)" = "$EXPECTED"');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', MARKER: 'yes', EXPECTED: dir };
    expect(await probeHealth(check, target([], { env, cwd: dir }), 3_000)).toEqual({ ok: true });
  });

  it('is unhealthy with the exit code and the last line of stderr', async () => {
    const result = await probeHealth(command('echo first >&2; echo "not ready: $MARKER" >&2; exit 1'), target([], { env: { MARKER: 'db' } }), 3_000);
    expect(result).toEqual({ ok: false, cause: 'command exited with 1: not ready: db' });
  });

  it('omits stderr when there is none', async () => {
    expect(await probeHealth(command('exit 3'), target([]), 3_000)).toEqual({ ok: false, cause: 'command exited with 3' });
  });

  it('kills a command that outlives the timeout, children included', async () => {
    const pidFile = join(dir, 'child.pid');
    const started = Date.now();
    const result = await probeHealth(command(`sleep 30 & echo $! > ${pidFile}; wait`), target([]), 300);
    expect(result).toEqual({ ok: false, cause: 'timed out after 0.3s' });
    expect(Date.now() - started).toBeLessThan(2_000);
    const child = Number(readFileSync(pidFile, 'utf8').trim());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isGoneOrZombie(child)).toBe(true);
  });

  it('reports a command that cannot start', async () => {
    const result = await probeHealth(command('true'), target([], { cwd: join(dir, 'missing') }), 3_000);
    expect(result.ok).toBe(false);
    expect(result.cause).toMatch(/^command could not start: /);
  });

  it("runs in the task's container through the runtime's exec, whose exit decides", async () => {
    // A TEST DOUBLE of the runtime's CLI: records its argv and answers with the exit code asked for.
    const cli = join(dir, 'runtime-double');
    const argvFile = join(dir, 'exec-argv');
    writeFileSync(cli, `#!/bin/sh\nprintf '%s\\n' "$@" > ${argvFile}\necho "answer: $EXEC_ANSWER" >&2\nexit "$EXEC_ANSWER"\n`);
    chmodSync(cli, 0o755);
    const container = { bin: cli, name: 'dcos-web.1', user: '1000:1000' };
    const env = (answer: string) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', EXEC_ANSWER: answer });
    // Run on the node, `exit 0` would pass whatever the container says.
    expect(await probeHealth(command('exit 0'), target([], { env: env('3'), container }), 3_000)).toEqual({ ok: false, cause: 'command exited with 3: answer: 3' });
    // Marked, so what the exec starts in the container can be found from the host (and killed).
    expect(readFileSync(argvFile, 'utf8').trimEnd().split('\n')).toEqual([
      'exec', '--user=1000:1000', '-e', expect.stringMatching(/^DCOS_CHECK_RUN=[0-9a-f-]{36}$/), 'dcos-web.1', '/bin/sh', '-c', 'exit 0',
    ]);
    expect(await probeHealth(command('exit 1'), target([], { env: env('0'), container }), 3_000)).toEqual({ ok: true });
  });

  it('does not wait for a background child that keeps stderr open', async () => {
    const started = Date.now();
    const result = await probeHealth(command('(sleep 30 >&2 &); exit 0'), target([]), 5_000);
    expect(result).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
