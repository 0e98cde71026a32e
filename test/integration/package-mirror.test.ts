/**
 * Air-gapped installs through the CLI on the real embedded cluster: `package pull` from a local
 * HTTP server (checksums verified, a mismatch refused and not kept, a second pull skipping what is
 * there), then installs whose asset URIs point at the mirror while the original server is gone.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type TempHome } from '../helpers/index.js';

const GREETING = 'fetched through the mirror\n';
const sha = (algorithm: string, file: string) => createHash(algorithm).update(readFileSync(file)).digest('hex');

/** Serves the files of `dir` under /assets/ on 127.0.0.1, answering HEAD too; counts GETs. */
async function serve(dir: string): Promise<{ server: Server; base: string; gets: string[] }> {
  const gets: string[] = [];
  const server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '').replace(/^\/assets\//, ''));
    const file = join(dir, name);
    if (!req.url?.startsWith('/assets/') || name.includes('/') || !existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const body = readFileSync(file);
    res.setHeader('content-length', body.length);
    if (req.method === 'GET') gets.push(name);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/assets`, gets };
}

const close = (server: Server) => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
});

function writeRevision(repo: string, name: string, resource: unknown, template: unknown): void {
  const dir = join(repo, 'packages', name[0].toUpperCase(), name, '0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ packagingVersion: '4.0', name, version: '1.0.0', maintainer: 'test@example.com', description: `${name} (mirror tests)`, tags: ['test'] }));
  writeFileSync(join(dir, 'resource.json'), JSON.stringify(resource));
  writeFileSync(join(dir, 'marathon.json.mustache'), JSON.stringify(template));
}

describe('package pull and the asset mirror', () => {
  let home: TempHome;
  let origin: Awaited<ReturnType<typeof serve>>;
  let toolSha256 = '';
  let notesSha512 = '';
  let api: (path: string) => Promise<any>;
  const mirror = () => join(home.dir, 'mirror');
  const dcos = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { env: { ...home.env, ...env }, cwd: home.dir });

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first');
    home = tempHome({ DCOS_CONTAINER_RUNTIME: 'none' });
    const assets = join(home.dir, 'origin');
    mkdirSync(assets);
    writeFileSync(join(home.dir, 'greeting.txt'), GREETING);
    await createTar({ gzip: true, file: join(assets, 'tool-1.0.tgz'), cwd: home.dir, portable: true }, ['greeting.txt']);
    writeFileSync(join(assets, 'notes.txt'), 'release notes\n');
    toolSha256 = sha('sha256', join(assets, 'tool-1.0.tgz'));
    notesSha512 = sha('sha512', join(assets, 'notes.txt'));
    origin = await serve(assets);

    const repo = join(home.dir, 'repo');
    writeRevision(
      repo,
      'mirrortest',
      { assets: { uris: { tool: `${origin.base}/tool-1.0.tgz#sha256=${toolSha256}`, notes: `${origin.base}/notes.txt#sha512=${notesSha512}` }, container: { docker: { image: 'busybox:1.36' } } } },
      { id: '/mirrortest', cmd: 'cat greeting.txt && exec sleep 3600', cpus: 0.01, mem: 16, fetch: [{ uri: '{{resource.assets.uris.tool}}' }, { uri: '{{resource.assets.uris.notes}}' }] },
    );
    // The same archive under a checksum it does not have.
    writeRevision(repo, 'mirrorbad', { assets: { uris: { tool: `${origin.base}/tool-1.0.tgz#sha256=${'0'.repeat(64)}` } } }, { id: '/mirrorbad', cmd: 'sleep 1', cpus: 0.01, mem: 16 });
    mkdirSync(home.env.DCOS_DIR, { recursive: true });
    writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'mirror-tests', uri: repo }] }));
  });
  afterAll(async () => {
    if (origin?.server.listening) await close(origin.server);
    if (home) await dcos(['cluster', 'down']);
    home?.cleanup();
  });

  it('pulls every asset of a revision, verifying sha256 and sha512, and lists the image as not pulled', async () => {
    const r = await dcos(['package', 'pull', 'mirrortest', '--to', 'mirror', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ packageName: 'mirrortest', packageVersion: '1.0.0', dir: mirror() });
    expect(out.assets.map((a: any) => [a.name, a.status, a.algorithm, a.checksum, a.verified])).toEqual([
      ['tool', 'pulled', 'sha256', toolSha256, true],
      ['notes', 'pulled', 'sha512', notesSha512, true],
    ]);
    expect(out.images).toEqual([expect.objectContaining({ name: 'image', image: 'busybox:1.36', pulled: false })]);
    expect(sha('sha256', join(mirror(), 'tool-1.0.tgz'))).toBe(toolSha256);
    expect(readdirSync(mirror()).sort()).toEqual(['notes.txt', 'tool-1.0.tgz']);
    expect(origin.gets.sort()).toEqual(['notes.txt', 'tool-1.0.tgz']);
  });

  it('skips what is already there with the right checksum, and fetches again only what is missing', async () => {
    origin.gets.length = 0;
    const again = await dcos(['package', 'pull', 'mirrortest', '--to', mirror(), '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).assets.map((a: any) => a.status)).toEqual(['present', 'present']);
    expect(origin.gets).toEqual([]);
    rmSync(join(mirror(), 'notes.txt'));
    const resumed = await dcos(['package', 'pull', 'mirrortest', '--to', mirror()]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('tool-1.0.tgz already there, checksum matches');
    expect(origin.gets).toEqual(['notes.txt']);
  });

  it('refuses a checksum mismatch with exit 5, naming URI, expected and actual, and keeps no file', async () => {
    const r = await dcos(['package', 'pull', 'mirrorbad', '--to', 'bad']);
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${origin.base}/tool-1.0.tgz#sha256=${'0'.repeat(64)}`);
    expect(r.stderr).toContain(`expected sha256 ${'0'.repeat(64)}, got ${toolSha256}`);
    expect(readdirSync(join(home.dir, 'bad'))).toEqual([]);
  });

  it('renders the mirror URIs, fragment kept, and installs from the mirror while the original server is gone', async () => {
    await close(origin.server);
    const env = { DCOS_PACKAGE_ASSET_MIRROR: mirror() };
    const render = await dcos(['package', 'describe', 'mirrortest', '--render'], env);
    expect(render.exitCode, render.stderr).toBe(0);
    expect(JSON.parse(render.stdout).fetch).toEqual([{ uri: `file://${mirror()}/tool-1.0.tgz#sha256=${toolSha256}` }, { uri: `file://${mirror()}/notes.txt#sha512=${notesSha512}` }]);

    const up = await dcos(['cluster', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const url = JSON.parse(up.stdout).url;
    const token = (await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout.trim();
    api = async (path: string) => (await fetch(`${url}${path}`, { headers: { authorization: `token=${token}` } })).json();

    // The original URI is unreachable now: only the mirror can give the asset.
    await expect(fetch(`${origin.base}/tool-1.0.tgz`)).rejects.toThrow();
    const install = await dcos(['package', 'install', 'mirrortest', '--yes', '--json', '--timeout', '60s'], env);
    expect(install.exitCode, install.stderr).toBe(0);
    const [task] = JSON.parse(install.stdout).tasks;
    expect((await api('/v2/apps/mirrortest')).app.fetch[0].uri).toBe(`file://${mirror()}/tool-1.0.tgz#sha256=${toolSha256}`);
    const log = await dcos(['task', 'log', task.id, 'greeting.txt']);
    expect(log.exitCode, log.stderr).toBe(0);
    expect(log.stdout).toBe(GREETING);
    // The sha512 asset went through the fetcher's verification too.
    expect((await dcos(['task', 'log', task.id, 'notes.txt'])).stdout).toBe('release notes\n');
  });

  it('installs from an http mirror too, checked with HEAD first', async () => {
    const http = await serve(mirror());
    try {
      const install = await dcos(['package', 'install', 'mirrortest', '--app-id', '/mirror-http', '--yes', '--json', '--timeout', '60s'], { DCOS_PACKAGE_ASSET_MIRROR: http.base });
      expect(install.exitCode, install.stderr).toBe(0);
      expect((await api('/v2/apps/mirror-http')).app.fetch[0].uri).toBe(`${http.base}/tool-1.0.tgz#sha256=${toolSha256}`);
      expect(http.gets.sort()).toEqual(['notes.txt', 'tool-1.0.tgz']);
    } finally {
      await close(http.server);
    }
  });

  it('refuses, before submitting anything, an install or update whose asset is missing from the mirror (exit 6)', async () => {
    const partial = join(home.dir, 'partial');
    mkdirSync(partial);
    copyFileSync(join(mirror(), 'notes.txt'), join(partial, 'notes.txt'));
    const r = await dcos(['package', 'install', 'mirrortest', '--app-id', '/mirror-missing', '--yes'], { DCOS_PACKAGE_ASSET_MIRROR: partial });
    expect(r.exitCode, r.stderr).toBe(6);
    expect(r.stderr).toContain(`Asset tool-1.0.tgz not found in the asset mirror directory ${partial}`);
    expect((await api('/v2/apps')).apps.map((a: any) => a.id)).not.toContain('/mirror-missing');
    // An update is checked the same way, before anything reaches the cluster.
    const before = (await api('/v2/apps/mirrortest')).app.version;
    const update = await dcos(['package', 'update', 'mirrortest', '--app-id', '/mirrortest', '--yes'], { DCOS_PACKAGE_ASSET_MIRROR: partial });
    expect(update.exitCode, update.stderr).toBe(6);
    expect(update.stderr).toContain('tool-1.0.tgz');
    expect((await api('/v2/apps/mirrortest')).app.version).toBe(before);
    const described = await dcos(['package', 'describe', 'mirrortest', '--render'], { DCOS_PACKAGE_ASSET_MIRROR: partial });
    expect(described.exitCode).toBe(0);
    expect(described.stderr).toContain(`Asset tool-1.0.tgz not found in the asset mirror directory ${partial}`);
  });
});
