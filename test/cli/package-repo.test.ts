import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_REPO, fixtureHome, runCli, type TempHome } from '../helpers/index.js';

describe('dcos package repo', () => {
  let home: TempHome;
  const dcos = (...argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });
  beforeEach(() => {
    home = fixtureHome();
  });
  afterEach(() => home.cleanup());

  it('lists repositories in priority order, with the bundled one by default', async () => {
    const fresh = await runCli(['package', 'repo', 'list', '--json'], { env: { ...home.env, DCOS_DIR: join(home.dir, 'other') } });
    const repos = JSON.parse(fresh.stdout).repositories;
    expect(repos).toHaveLength(1);
    expect(repos[0]).toMatchObject({ name: 'bundled', uri: 'bundled', kind: 'bundled' });
    expect(existsSync(join(repos[0].location, 'packages'))).toBe(true);
  });

  it('adds at an index, refuses duplicates and out-of-range indexes, and removes', async () => {
    const second = join(home.dir, 'second');
    mkdirSync(join(second, 'packages'), { recursive: true });
    expect((await dcos('package', 'repo', 'add', 'second', second, '--index', '0')).exitCode).toBe(0);
    let table = await dcos('package', 'repo', 'list');
    expect(table.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([['0', 'second'], ['1', 'fixtures']]);

    const dupName = await dcos('package', 'repo', 'add', 'second', FIXTURE_REPO);
    expect(dupName.exitCode).toBe(1);
    expect(dupName.stderr).toContain('Repository name [second] is already present in the list');
    const dupUri = await dcos('package', 'repo', 'add', 'third', second);
    expect(dupUri.stderr).toContain('is already present in the list as [second]');
    const range = await dcos('package', 'repo', 'add', 'third', join(home.dir), '--index', '5');
    expect(range.exitCode).toBe(1);
    const badIndex = await dcos('package', 'repo', 'add', 'third', second, '--index', 'x');
    expect(badIndex.exitCode).toBe(2);

    const removeMissing = await dcos('package', 'repo', 'remove', 'second', 'nope');
    expect(removeMissing.exitCode).toBe(1);
    expect(removeMissing.stderr).toContain('Repository name [nope] is not present in the list');
    table = await dcos('package', 'repo', 'list', '--json');
    expect(JSON.parse(table.stdout).repositories.map((r: { name: string }) => r.name)).toEqual(['second', 'fixtures']);

    expect((await dcos('package', 'repo', 'remove', 'second')).exitCode).toBe(0);
    table = await dcos('package', 'repo', 'list', '--json');
    expect(JSON.parse(table.stdout).repositories.map((r: { name: string }) => r.name)).toEqual(['fixtures']);
  });

  it('says the index is out of range with the allowed bounds', async () => {
    const r = await dcos('package', 'repo', 'add', 'x', FIXTURE_REPO + '/', '--index', '3');
    expect(r.stderr).toMatch(/already present|Index \(3\) is out of range\. Index value must be between 0 and 1 inclusive\./);
    const other = join(home.dir, 'r2');
    mkdirSync(join(other, 'packages'), { recursive: true });
    const r2 = await dcos('package', 'repo', 'add', 'x', other, '--index', '3');
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toContain('Index (3) is out of range. Index value must be between 0 and 1 inclusive.');
  });

  it('refuses what is not a repository and leaves the list unchanged', async () => {
    const r = await dcos('package', 'repo', 'add', 'empty', home.dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('is not a package repository: it has no packages/ directory');
    const missing = await dcos('package', 'repo', 'add', 'gone', join(home.dir, 'nope'));
    expect(missing.stderr).toContain('does not exist');
    const scheme = await dcos('package', 'repo', 'add', 'ftp', 'ftp://example.com/repo');
    expect(scheme.exitCode).toBe(2);
    expect(scheme.stderr).toContain('unsupported scheme');
    const list = await dcos('package', 'repo', 'list', '--json');
    expect(JSON.parse(list.stdout).repositories.map((r: { name: string }) => r.name)).toEqual(['fixtures']);
  });

  it('builds a publishable index that works as a repository itself', async () => {
    const out = join(home.dir, 'index.json');
    const r = await dcos('package', 'repo', 'index', FIXTURE_REPO, '-o', out);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Skipping invalid packages/B/beta/1');
    expect(r.stderr).toContain('Wrote 6 revisions of 4 packages');
    const index = JSON.parse(readFileSync(out, 'utf8'));
    expect(index.packages.map((p: { name: string; releaseVersion: number }) => `${p.name}@${p.releaseVersion}`)).toEqual([
      'alpha@0', 'alpha@1', 'alpha@2', 'beta@0', 'cli-only@0', 'gamma@3',
    ]);
    expect(Buffer.from(index.packages[0].marathon.v2AppMustacheTemplate, 'base64').toString()).toContain('{{service.name}}');

    const strict = await dcos('package', 'repo', 'index', FIXTURE_REPO, '--strict');
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toBe('');

    await dcos('package', 'repo', 'remove', 'fixtures');
    expect((await dcos('package', 'repo', 'add', 'published', out)).exitCode).toBe(0);
    const search = await dcos('package', 'search', 'alpha', '--json');
    expect(JSON.parse(search.stdout).packages[0].currentVersion).toBe('2.0.0');
    const render = await dcos('package', 'describe', 'alpha', '--package-version', '1.0.0', '--render');
    expect(JSON.parse(render.stdout).labels.DCOS_PACKAGE_SOURCE).toMatch(/^file:\/\/.*index\.json$/);
  });

  it('reports a repository that cannot be read and keeps using the others', async () => {
    const file = join(home.dir, 'broken.json');
    writeFileSync(file, '{"packages": [');
    writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'broken', uri: file }, { name: 'fixtures', uri: FIXTURE_REPO }] }));
    const r = await dcos('package', 'search', 'alpha');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Skipping repository [broken]');
    expect(r.stdout).toMatch(/^alpha\s/m);
  });
});

describe('dcos package repo with an http(s) index', () => {
  let server: Server;
  let url: string;
  let requests: Array<{ etag?: string }> = [];
  let up = true;
  const index = JSON.stringify({
    packages: [
      {
        packagingVersion: '4.0', name: 'remote', version: '1.0.0', releaseVersion: 0, maintainer: 'm', description: 'A remote package', tags: ['net'],
        marathon: { v2AppMustacheTemplate: Buffer.from('{"id": "remote", "cmd": "sleep 1"}').toString('base64') },
      },
    ],
  });
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (!up) {
        req.socket.destroy();
        return;
      }
      requests.push({ etag: req.headers['if-none-match'] as string | undefined });
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(index);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('caches, revalidates with ETag, and falls back to the cache with a warning when unreachable', async () => {
    const home = fixtureHome({ DCOS_PACKAGE_CACHE_TTL: '0' });
    try {
      requests = [];
      up = true;
      const add = await runCli(['package', 'repo', 'add', 'remote', url], { env: home.env });
      expect(add.exitCode).toBe(0);
      const first = await runCli(['package', 'search', 'remote', '--json'], { env: home.env });
      expect(JSON.parse(first.stdout).packages[0].name).toBe('remote');
      expect(requests.length).toBeGreaterThanOrEqual(2);
      expect(requests[requests.length - 1].etag).toBe('"v1"');

      up = false;
      const offline = await runCli(['package', 'search', 'remote'], { env: home.env });
      expect(offline.exitCode).toBe(0);
      expect(offline.stderr).toContain(`Could not reach repository [remote] at ${url}`);
      expect(offline.stderr).toContain('using the copy cached');
      expect(offline.stdout).toMatch(/^remote\s+1\.0\.0/m);
    } finally {
      up = true;
      home.cleanup();
    }
  });

  it('uses a fresh cache without asking the server within the TTL', async () => {
    const home = fixtureHome({ DCOS_PACKAGE_CACHE_TTL: '3600' });
    try {
      await runCli(['package', 'repo', 'add', 'remote', url], { env: home.env });
      requests = [];
      await runCli(['package', 'search', 'remote'], { env: home.env });
      expect(requests).toHaveLength(0);
    } finally {
      home.cleanup();
    }
  });

  it('refuses to add an unreachable URL with a clear error', async () => {
    const home = fixtureHome();
    try {
      up = false;
      const r = await runCli(['package', 'repo', 'add', 'down', url.replace('repo.json', 'other.json')], { env: home.env });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('Could not access data at URI for repository [down]');
      expect(r.stderr).not.toMatch(/undici|UND_ERR|\n\s+at /);
    } finally {
      up = true;
      home.cleanup();
    }
  });
});
