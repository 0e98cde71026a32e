/**
 * Remote clusters through `dcos cluster setup`: the embedded daemon stands in for a DC/OS master
 * (it serves DC/OS paths), reached through a local TLS proxy and a flaky proxy written here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';

/** Forwards every request to `target`; `intercept` may answer first. */
function proxy(target: URL, intercept?: (req: IncomingMessage, res: ServerResponse) => boolean) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (intercept?.(req, res)) return;
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(upstream);
  };
}

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

describe('remote clusters', () => {
  let local: TempHome;
  let remote: TempHome;
  let daemonUrl: URL;
  let token = '';
  const servers: Server[] = [];
  const dcos = (home: TempHome, argv: string[], env: Record<string, string> = {}) => runCli(argv, { env: { ...home.env, ...env }, cwd: home.dir });

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first');
    local = tempHome();
    const up = await dcos(local, ['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    daemonUrl = new URL(JSON.parse(up.stdout).url);
    token = (await dcos(local, ['config', 'show', 'core.dcos_acs_token'])).stdout.trim();
    remote = tempHome({ DCOS_CLUSTER_AUTOSTART: 'false' });
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await dcos(local, ['cluster', 'down']);
    local.cleanup();
    remote.cleanup();
  });

  it('attaches a DC/OS cluster by URL and token and works against it', async () => {
    const bad = await dcos(remote, ['cluster', 'setup', daemonUrl.href, '--name', 'prod', '--token', 'wrong']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('Give the token with --token or DCOS_ACS_TOKEN');
    expect(JSON.parse((await dcos(remote, ['cluster', 'list', '--json'])).stdout)).toEqual([]);

    const ok = await dcos(remote, ['cluster', 'setup', daemonUrl.href, '--name', 'prod'], { DCOS_ACS_TOKEN: token });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('Attached to DC/OS cluster [prod]');
    expect((await dcos(remote, ['cluster', 'list'])).stdout).toMatch(/^\*\s+prod\s+dcos\s+AVAILABLE\s+http:\/\/127\.0\.0\.1:\d+$/m);
    const install = await dcos(remote, ['package', 'install', 'hello-world', '--app-id', '/remote-hello', '--yes']);
    expect(install.exitCode, install.stderr).toBe(0);
    expect((await dcos(remote, ['package', 'list', '--json'])).stdout).toContain('/remote-hello');
    expect((await dcos(remote, ['package', 'uninstall', 'hello-world', '--app-id', '/remote-hello', '--yes'])).exitCode).toBe(0);
  });

  it('attaches a bare Marathon by --marathon-url', async () => {
    const r = await dcos(remote, ['cluster', 'setup', 'http://marathon.invalid', '--name', 'bare', '--marathon-url', new URL('/v2/..', daemonUrl).href.replace(/\/$/, ''), '--mesos-url', `${daemonUrl.origin}/mesos`, '--token', token]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('Attached to Marathon cluster [bare]');
    const about = await dcos(remote, ['marathon', 'about']);
    expect(about.exitCode, about.stderr).toBe(0);
    expect(JSON.parse(about.stdout).name).toBe('marathon');
    const removed = await dcos(remote, ['cluster', 'remove', 'bare']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('Removed cluster [bare] (http://marathon.invalid) from the list; the cluster itself is not changed.');
    expect(removed.stderr).not.toContain('data dir');
  });

  it('verifies TLS: refuses a self-signed certificate, trusts it with --ca-cert, skips with --insecure', async () => {
    const dir = remote.dir;
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, proxy(daemonUrl));
    servers.push(tls);
    const url = `https://127.0.0.1:${await listen(tls)}`;
    const missing = await dcos(remote, ['cluster', 'setup', url, '--name', 'tls', '--token', token, '--ca-cert', join(dir, 'nope.pem')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--ca-cert: no such file');
    const refused = await dcos(remote, ['cluster', 'setup', url, '--name', 'tls', '--token', token]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/TLS certificate (is self-signed|chain is not trusted|cannot be verified)/);
    const withCa = await dcos(remote, ['cluster', 'setup', url, '--name', 'tls', '--token', token, '--ca-cert', join(dir, 'cert.pem')]);
    expect(withCa.exitCode, withCa.stderr).toBe(0);
    expect((await dcos(remote, ['marathon', 'about'])).exitCode).toBe(0);
    const insecure = await dcos(remote, ['cluster', 'setup', url, '--name', 'tls2', '--token', token, '--insecure']);
    expect(insecure.exitCode, insecure.stderr).toBe(0);
  });

  it('retries idempotent requests through 5xx answers and network failures, and reports the rest plainly', async () => {
    let failures = 0;
    const flaky = createHttpServer(
      proxy(daemonUrl, (req, res) => {
        if (req.method === 'GET' && req.url?.includes('/v2/apps') && failures < 2) {
          failures += 1;
          if (failures === 1) res.writeHead(503).end('{"message":"busy"}');
          else req.socket.destroy();
          return true;
        }
        if (req.method === 'POST' && req.url?.includes('/v2/apps')) {
          res.writeHead(502).end('{"message":"bad gateway"}');
          return true;
        }
        return false;
      }),
    );
    servers.push(flaky);
    const url = `http://127.0.0.1:${await listen(flaky)}`;
    expect((await dcos(remote, ['cluster', 'setup', url, '--name', 'flaky', '--token', token, '--no-check'])).exitCode).toBe(0);
    const list = await dcos(remote, ['package', 'list', '--json']);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(failures).toBe(2);
    const install = await dcos(remote, ['package', 'install', 'hello-world', '--app-id', '/flaky', '--yes']);
    expect(install.exitCode).toBe(1);
    expect(install.stderr).toContain('HTTP 502: bad gateway');
    expect(install.stderr).not.toMatch(/\n\s+at |UND_ERR|ECONN/);
  });
});
