/** Every request to the daemon needs the cluster token, whatever the path. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startDaemon();
});
afterAll(stopAllDaemons);

const PATHS = ['/v2/apps', '/ping', '/service/marathon/v2/info', '/mesos/master/state.json', '/v2/deployments', '/slave/x/files/read.json?path=/etc/passwd'];

describe('authentication', () => {
  it.each(PATHS)('GET %s without a token is 401', async (path) => {
    const res = await fetch(d.url + path);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { message: string };
    expect(typeof body.message).toBe('string');
  });

  it.each(PATHS)('GET %s with a wrong token is 401 (token= and Bearer)', async (path) => {
    const wrong = d.token.slice(0, -1) + (d.token.endsWith('0') ? '1' : '0');
    expect((await d.api('GET', path, undefined, { authorization: `token=${wrong}` })).status).toBe(401);
    expect((await d.api('GET', path, undefined, { authorization: `Bearer ${wrong}` })).status).toBe(401);
    expect((await d.api('GET', path, undefined, { authorization: `token=${d.token}x` })).status).toBe(401);
    expect((await d.api('GET', path, undefined, { authorization: d.token })).status).toBe(401);
    expect((await d.api('GET', path, undefined, { authorization: '' })).status).toBe(401);
  });

  it('accepts both "token=<t>" and "Bearer <t>"', async () => {
    for (const authorization of [`token=${d.token}`, `Bearer ${d.token}`]) {
      expect((await d.api('GET', '/v2/apps', undefined, { authorization })).status).toBe(200);
      expect((await d.api('GET', '/ping', undefined, { authorization })).status).toBe(200);
      expect((await d.api('GET', '/service/marathon/v2/info', undefined, { authorization })).status).toBe(200);
      expect((await d.api('GET', '/mesos/master/state.json', undefined, { authorization })).status).toBe(200);
    }
  });

  it('refuses writes without a token and changes nothing', async () => {
    const res = await fetch(`${d.url}/v2/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '/sneaky', cmd: 'sleep 100' }),
    });
    expect(res.status).toBe(401);
    const shutdown = await fetch(`${d.url}/dcos-local/shutdown?stopTasks=true`, { method: 'POST' });
    expect(shutdown.status).toBe(401);
    expect((await d.api('GET', '/v2/apps/sneaky')).status).toBe(404);
    expect((await d.api('GET', '/ping')).status).toBe(200);
  });

  it('keeps the token file private to its owner', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(`${d.dataDir}/token`).mode & 0o077).toBe(0);
  });
});
