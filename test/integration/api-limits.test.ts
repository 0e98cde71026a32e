/**
 * What the daemon's HTTP API refuses and how: request bodies nested too deep or too large, Host
 * headers that are not loopback (DNS rebinding). A refused or failed change leaves the cluster
 * exactly as its store has it.
 */
import Database from 'better-sqlite3';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
import { createApp, holdStoreLock, openEvents, readStore, sleeper, waitNoDeployments, type Json } from './support.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

/** An app whose unknown field `extra` nests `depth` levels of objects. */
function deepApp(id: string, depth: number): string {
  return `{"id":"${id}","cmd":"sleep 1000","cpus":0.01,"mem":8,"instances":0,"extra":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
}

/** A raw HTTP exchange, so headers fetch() will not send (Host, Expect) can be set. */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const url = new URL(d.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: opts.method ?? 'GET', headers: { authorization: `token=${d.token}`, ...opts.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The status line of a request written byte for byte (headers no client library would send). */
function rawStatusLine(head: string): Promise<string> {
  const url = new URL(d.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(head));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.on('end', () => resolve(text.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

/** Every app as the store has it (the test's own read-only connection). */
function storedAppIds(): string[] {
  const db = new Database(join(d.dataDir, 'state.db'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM apps ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
}

function storedDeploymentIds(): string[] {
  return readStore(d.dataDir, (db) => (db.prepare('SELECT id FROM deployments').all() as Array<{ id: string }>).map((r) => r.id));
}

async function memoryAppIds(): Promise<string[]> {
  const res = await d.api('GET', '/v2/apps');
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res.json.apps.map((a: Json) => a.id).sort();
}

describe('request bodies nested too deep', () => {
  it.each([3000, 1500, 101])('refuses an app nested %i deep with 400, and the cluster keeps working', async (depth) => {
    const res = await d.api('POST', '/v2/apps', deepApp(`/deep-${depth}`, depth));
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.json.message).toBe('Invalid JSON');
    expect(res.json.details).toMatch(/nested deeper than 100 levels/);
    expect((await d.api('GET', '/v2/apps')).status).toBe(200);
    expect((await d.api('GET', '/v2/groups')).status).toBe(200);
    expect((await d.api('GET', `/v2/apps/deep-${depth}`)).status).toBe(404);
    // PUT takes the same path.
    const put = await d.api('PUT', `/v2/apps/deep-${depth}`, deepApp(`/deep-${depth}`, depth));
    expect(put.status, put.text.slice(0, 300)).toBe(400);
    expect(await memoryAppIds()).not.toContain(`/deep-${depth}`);
  });

  it('accepts what real app definitions nest (well under the limit)', async () => {
    const res = await d.api('POST', '/v2/apps', deepApp('/deep-ok', 90));
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    expect((await d.api('GET', '/v2/apps')).status).toBe(200);
    await waitNoDeployments(d);
    expect((await d.api('DELETE', '/v2/apps/deep-ok')).status).toBe(200);
    await waitNoDeployments(d);
  });
});

describe('request bodies too large', () => {
  it('answers a 10 MB body with 413 and a JSON message, without resetting the connection', async () => {
    const body = JSON.stringify({ id: '/huge', cmd: 'x'.repeat(10 * 1024 * 1024) });
    const res = await d.api('POST', '/v2/apps', body);
    expect(res.status).toBe(413);
    expect(res.json.message).toMatch(/larger than 1 MiB/);
    expect((await d.api('GET', '/v2/apps/huge')).status).toBe(404);
    expect((await d.api('GET', '/ping')).status).toBe(200);
  });

  it('reads a body just under the limit (here: invalid JSON, so 400, not 413)', async () => {
    const res = await d.api('POST', '/v2/apps', `{${' '.repeat(1024 * 1024 - 10)}`);
    expect(res.status, res.text.slice(0, 200)).toBe(400);
    expect(res.json.message).toBe('Invalid JSON');
  });

  it('answers 413 before the body is sent when the client asks with Expect: 100-continue', async () => {
    const res = await raw('/v2/apps', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024), expect: '100-continue' },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).message).toMatch(/larger than 1 MiB/);
  });
});

describe('Host header (DNS rebinding defence)', () => {
  it.each(['evil.example', 'evil.example:80', 'localhost.evil.example', '10.0.0.1', '127.0.0.1.nip.io'])('refuses Host "%s" with 403, even with the token', async (host) => {
    const res = await raw('/v2/apps', { headers: { host } });
    expect(res.status, res.text.slice(0, 300)).toBe(403);
    expect(JSON.parse(res.text).message).toMatch(/Host/);
    expect(res.text).not.toContain('"apps"');
  });

  it('refuses an empty or missing Host', async () => {
    const auth = `Authorization: token=${d.token}\r\nConnection: close`;
    expect(await rawStatusLine(`GET /v2/apps HTTP/1.1\r\nHost: \r\n${auth}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(await rawStatusLine(`GET /v2/apps HTTP/1.0\r\n${auth}\r\n\r\n`)).toBe('HTTP/1.1 403 Forbidden');
    expect(await rawStatusLine(`GET /v2/apps HTTP/1.0\r\nHost: 127.0.0.1\r\n${auth}\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
  });

  it('accepts loopback names and addresses with any port', async () => {
    const port = new URL(d.url).port;
    for (const host of ['localhost', `localhost:${port}`, 'LOCALHOST:1', '127.0.0.1', `127.0.0.1:${port}`, '[::1]', `[::1]:${port}`]) {
      const res = await raw('/v2/apps', { headers: { host } });
      expect(res.status, `${host}: ${res.text.slice(0, 300)}`).toBe(200);
    }
    // What fetch and the CLI's client send: the URL's own host.
    expect((await d.api('GET', '/v2/apps')).status).toBe(200);
  });
});

describe('a store write that fails', () => {
  const lockStore = () => holdStoreLock(d.dataDir);

  it('leaves nothing in memory that the store does not have (create, update, delete)', { timeout: 60_000 }, async () => {
    await createApp(d, sleeper('/kept', { instances: 0 }));
    await waitNoDeployments(d);
    const before = (await d.api('GET', '/v2/apps/kept')).json.app;

    const release = lockStore();
    try {
      const created = await d.api('POST', '/v2/apps', sleeper('/never-stored', { instances: 0 }));
      expect(created.status, created.text).toBe(503);
      expect(created.json.message).toMatch(/store/i);
      const updated = await d.api('PUT', '/v2/apps/kept', { cmd: 'sleep 2000' });
      expect(updated.status, updated.text).toBe(503);
      const deleted = await d.api('DELETE', '/v2/apps/kept');
      expect(deleted.status, deleted.text).toBe(503);
    } finally {
      release();
    }
    expect(await memoryAppIds()).toEqual(storedAppIds());
    expect(await memoryAppIds()).not.toContain('/never-stored');
    const after = (await d.api('GET', '/v2/apps/kept')).json.app;
    expect(after.cmd).toBe('sleep 1000');
    expect(after.version).toBe(before.version);
    expect((await d.api('GET', '/v2/deployments')).json).toEqual([]);

    // The next change works once the store does.
    const ok = await d.api('PUT', '/v2/apps/kept', { cmd: 'sleep 2000' });
    expect(ok.status, ok.text).toBe(200);
    await waitNoDeployments(d);
    expect((await d.api('GET', '/v2/apps/kept')).json.app.cmd).toBe('sleep 2000');
    expect(await memoryAppIds()).toEqual(storedAppIds());
  });

  it('cancels or rolls back no deployment it cannot store, and announces none', { timeout: 60_000 }, async () => {
    // Never placed (more cpus than the node has): its deployment stays.
    await createApp(d, sleeper('/stuck', { cpus: 1000 }));
    const [dep] = (await d.api('GET', '/v2/deployments')).json as Json[];
    expect(dep, 'the deployment of /stuck').toBeDefined();
    const events = await openEvents(d);
    try {
      const release = lockStore();
      try {
        for (const query of ['?force=true', '']) {
          const res = await d.api('DELETE', `/v2/deployments/${dep.id}${query}`);
          expect(res.status, `${query}: ${res.text}`).toBe(503);
          expect(res.json.message).toMatch(/could not store the change, so nothing was changed/);
        }
      } finally {
        release();
      }
      expect(((await d.api('GET', '/v2/deployments')).json as Json[]).map((x) => x.id)).toEqual([dep.id]);
      expect(storedDeploymentIds()).toEqual([dep.id]);
      // Once it can be stored: cancelled, and only then announced.
      const res = await d.api('DELETE', `/v2/deployments/${dep.id}?force=true`);
      expect(res.status, res.text).toBe(202);
      await events.waitFor((e) => e.event === 'deployment_failed', 'deployment_failed');
      expect(events.events.filter((e) => e.event === 'deployment_failed').map((e) => e.data.id)).toEqual([dep.id]);
      expect(storedDeploymentIds()).toEqual([]);
    } finally {
      await events.close();
    }
    expect((await d.api('DELETE', '/v2/apps/stuck?force=true')).status).toBe(200);
    await waitNoDeployments(d);
  });
});
