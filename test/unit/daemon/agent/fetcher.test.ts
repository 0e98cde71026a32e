import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAll, FetchError, type FetchItem } from '../../../../src/daemon/agent/fetcher.js';
import { tempDirs } from './agent-helpers.js';
import { buildFixtures, serveFixtures, sha256Of, type Fixtures, type FixtureServer } from './fetch-fixtures.js';

const dirs = tempDirs();
let fx: Fixtures;
let server: FixtureServer;
let cacheDir: string;

beforeAll(async () => {
  const base = dirs.make('dcos-fetch-');
  fx = buildFixtures(base);
  cacheDir = path.join(base, 'cache');
  server = await serveFixtures(fx.dir);
});

afterAll(async () => {
  await server.close();
  dirs.cleanup();
});

function newSandbox(): string {
  const sandbox = path.join(path.dirname(fx.dir), 'sandboxes', `s-${Math.random().toString(36).slice(2)}`);
  mkdirSync(sandbox, { recursive: true });
  return sandbox;
}

async function fetchInto(items: FetchItem[], sandbox = newSandbox()): Promise<string> {
  await fetchAll(items, { sandbox, cacheDir, timeoutSeconds: 20 });
  return sandbox;
}

function isExecutable(file: string): boolean {
  return (statSync(file).mode & 0o111) !== 0;
}

describe('fetchAll over http', () => {
  it('downloads and extracts a .tar.gz, keeping the archive and the modes', async () => {
    const sandbox = await fetchInto([{ uri: `${server.url}/app.tar.gz` }]);
    expect(readFileSync(path.join(sandbox, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
    expect(isExecutable(path.join(sandbox, 'pkg', 'bin', 'run.sh'))).toBe(true);
    expect(existsSync(path.join(sandbox, 'app.tar.gz'))).toBe(true);
  });

  it('extracts a .zip with its unix modes, and a .tar.xz', async () => {
    const sandbox = await fetchInto([{ uri: `${server.url}/app.zip` }]);
    expect(readFileSync(path.join(sandbox, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
    expect(isExecutable(path.join(sandbox, 'pkg', 'bin', 'run.sh'))).toBe(true);
    expect(isExecutable(path.join(sandbox, 'pkg', 'data.txt'))).toBe(false);
    const xz = await fetchInto([{ uri: `${server.url}/app.tar.xz` }]);
    expect(readFileSync(path.join(xz, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
  });

  it('does not extract when extract is false', async () => {
    const sandbox = await fetchInto([{ uri: `${server.url}/app.tar.gz`, extract: false }]);
    expect(readdirSync(sandbox)).toEqual(['app.tar.gz']);
  });

  it('names the file after the last URL segment, decoded, without query or fragment', async () => {
    const sandbox = await fetchInto([{ uri: `${server.url}/redirect/plain.txt?v=3` }]);
    expect(readdirSync(sandbox)).toEqual(['plain.txt']);
    expect(readFileSync(path.join(sandbox, 'plain.txt'), 'utf8')).toBe('just text\n');
  });

  it('marks a file executable on request', async () => {
    const sandbox = await fetchInto([{ uri: `${server.url}/tool.sh`, executable: true }, { uri: `${server.url}/plain.txt` }]);
    expect(statSync(path.join(sandbox, 'tool.sh')).mode & 0o777).toBe(0o755);
    expect(isExecutable(path.join(sandbox, 'plain.txt'))).toBe(false);
  });

  it('puts the file at destPath, and extracts into a destPath directory', async () => {
    const sandbox = await fetchInto([
      { uri: `${server.url}/plain.txt`, destPath: 'conf/nested/renamed.txt' },
      { uri: `${server.url}/app.tar.gz`, destPath: 'unpacked/' },
    ]);
    expect(readFileSync(path.join(sandbox, 'conf', 'nested', 'renamed.txt'), 'utf8')).toBe('just text\n');
    expect(readFileSync(path.join(sandbox, 'unpacked', 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
  });

  it('refuses a destPath outside the sandbox', async () => {
    const sandbox = newSandbox();
    await expect(fetchInto([{ uri: `${server.url}/plain.txt`, destPath: '../escaped.txt' }], sandbox)).rejects.toThrow(
      'is outside the sandbox',
    );
    expect(existsSync(path.join(path.dirname(sandbox), 'escaped.txt'))).toBe(false);
  });

  it('verifies a checksum, given as a field or a URI fragment', async () => {
    const sum = sha256Of(path.join(fx.dir, 'app.tar.gz'));
    const a = await fetchInto([{ uri: `${server.url}/app.tar.gz`, checksum: `sha256:${sum}` }]);
    expect(existsSync(path.join(a, 'pkg', 'data.txt'))).toBe(true);
    const b = await fetchInto([{ uri: `${server.url}/plain.txt#sha256=${sha256Of(path.join(fx.dir, 'plain.txt'))}` }]);
    expect(readdirSync(b)).toEqual(['plain.txt']);
  });

  it('verifies sha512 (as Apache publishes it) as a field or a URI fragment, and names the algorithm on a mismatch', async () => {
    const sha512 = (file: string) => createHash('sha512').update(readFileSync(path.join(fx.dir, file))).digest('hex');
    const a = await fetchInto([{ uri: `${server.url}/app.tar.gz`, checksum: `sha512:${sha512('app.tar.gz')}` }]);
    expect(existsSync(path.join(a, 'pkg', 'data.txt'))).toBe(true);
    const b = await fetchInto([{ uri: `${server.url}/plain.txt#sha512=${sha512('plain.txt').toUpperCase()}` }]);
    expect(readdirSync(b)).toEqual(['plain.txt']);
    const wrong = 'cd'.repeat(64);
    const uri = `${server.url}/plain.txt#sha512=${wrong}`;
    const sandbox = newSandbox();
    await expect(fetchInto([{ uri }], sandbox)).rejects.toThrow(`Checksum mismatch for ${uri}: expected sha512 ${wrong}, got ${sha512('plain.txt')}`);
    expect(readdirSync(sandbox)).toEqual([]);
    // A sha512 cut to sha256's length is not taken for either.
    await expect(fetchInto([{ uri: `${server.url}/plain.txt`, checksum: `sha512:${'ab'.repeat(32)}` }])).rejects.toThrow(
      'expected sha256:<64 hex digits> or sha512:<128 hex digits>',
    );
  });

  it('keeps a cached download apart per checksum, and checks the cached copy with its algorithm', async () => {
    const uri = `${server.url}/plain.txt?cache-sha512`;
    const sum = createHash('sha512').update(readFileSync(path.join(fx.dir, 'plain.txt'))).digest('hex');
    const before = server.hits.get('/plain.txt') ?? 0;
    await fetchInto([{ uri, cache: true, checksum: `sha512:${sum}` }]);
    const again = await fetchInto([{ uri, cache: true, checksum: `sha512:${sum}` }]);
    expect(server.hits.get('/plain.txt')).toBe(before + 1);
    expect(readdirSync(again)).toEqual(['plain.txt']);
  });

  it('fails on a checksum mismatch and leaves nothing behind', async () => {
    const sandbox = newSandbox();
    const wrong = 'ab'.repeat(32);
    const actual = sha256Of(path.join(fx.dir, 'app.tar.gz'));
    const uri = `${server.url}/app.tar.gz`;
    const attempt = fetchInto([{ uri, checksum: `sha256:${wrong}`, destPath: 'deep/dir/app.tar.gz' }], sandbox);
    await expect(attempt).rejects.toThrow(FetchError);
    await expect(attempt).rejects.toThrow(`Checksum mismatch for ${uri}: expected sha256 ${wrong}, got ${actual}`);
    expect(readdirSync(sandbox)).toEqual([]);
  });

  it('reuses a cached download without asking the server again', async () => {
    const uri = `${server.url}/app.zip?cache-test`;
    const before = server.hits.get('/app.zip') ?? 0;
    await fetchInto([{ uri, cache: true }]);
    const second = await fetchInto([{ uri, cache: true }]);
    expect(server.hits.get('/app.zip')).toBe(before + 1);
    expect(readFileSync(path.join(second, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
    expect(readdirSync(cacheDir).length).toBeGreaterThan(0);
  });

  it('trusts a cached archive it verified and checked as it still is, and verifies one that changed since', async () => {
    const sum = sha256Of(path.join(fx.dir, 'app.tar.gz'));
    const uri = `${server.url}/app.tar.gz?cache-stamp`;
    const item: FetchItem = { uri, cache: true, checksum: `sha256:${sum}` };
    const before = server.hits.get('/app.tar.gz') ?? 0;
    await fetchInto([item]);
    const entry = readdirSync(cacheDir).find((f) => f.endsWith('.ok') && JSON.parse(readFileSync(path.join(cacheDir, f), 'utf8')).digest === `sha256:${sum}`);
    expect(entry, 'a stamp beside the cache entry').toBeDefined();
    const stampFile = path.join(cacheDir, entry as string);
    const cached = stampFile.slice(0, -'.ok'.length);
    // The first extraction checked its entries: the stamp says so, with the file it verified.
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    expect(stamp).toMatchObject({ size: statSync(cached).size, ino: statSync(cached).ino, archiveChecked: true });
    const again = await fetchInto([item]);
    expect(readFileSync(path.join(again, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
    expect(server.hits.get('/app.tar.gz')).toBe(before + 1);

    // The entry changes (same size, other bytes): the stamp no longer matches, so the copy is
    // hashed, found damaged, and downloaded again.
    const bytes = readFileSync(cached);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(cached, bytes);
    const third = await fetchInto([item]);
    expect(server.hits.get('/app.tar.gz')).toBe(before + 2);
    expect(readFileSync(path.join(third, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
    expect(sha256Of(cached)).toBe(sum);
  });

  it('reports an HTTP error status with the URI', async () => {
    const uri = `${server.url}/missing.tgz`;
    await expect(fetchInto([{ uri }])).rejects.toThrow(`Failed to fetch ${uri}: HTTP 404 Not Found`);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const uri = `http://127.0.0.1:${port}/x.txt`;
    await expect(fetchInto([{ uri }])).rejects.toThrow(`Failed to fetch ${uri}: connection refused`);
  });

  it('gives up after the timeout', async () => {
    const hanging = createHttpServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const uri = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/slow.tgz`;
    try {
      const attempt = fetchAll([{ uri }], { sandbox: newSandbox(), cacheDir, timeoutSeconds: 1 });
      await expect(attempt).rejects.toThrow(`Failed to fetch ${uri}: timed out after 1 s`);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('rethrows the reason when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('task killed'));
    await expect(
      fetchAll([{ uri: `${server.url}/plain.txt` }], { sandbox: newSandbox(), cacheDir, signal: controller.signal }),
    ).rejects.toThrow('task killed');
  });

  it('stops at the first failure, in order', async () => {
    const sandbox = newSandbox();
    await expect(
      fetchInto([{ uri: `${server.url}/plain.txt` }, { uri: `${server.url}/nope.txt` }, { uri: `${server.url}/tool.sh` }], sandbox),
    ).rejects.toThrow('nope.txt');
    expect(readdirSync(sandbox)).toEqual(['plain.txt']);
  });
});

describe('fetchAll from local files', () => {
  it('copies file:// URLs and absolute paths', async () => {
    const sandbox = await fetchInto([
      { uri: pathToFileURL(path.join(fx.dir, 'app.tar.gz')).href },
      { uri: path.join(fx.dir, 'plain.txt') },
    ]);
    expect(readFileSync(path.join(sandbox, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
    expect(readFileSync(path.join(sandbox, 'plain.txt'), 'utf8')).toBe('just text\n');
  });

  it('reports a missing local file and an unsupported scheme', async () => {
    const missing = path.join(fx.dir, 'absent.tgz');
    await expect(fetchInto([{ uri: missing }])).rejects.toThrow(`Failed to fetch ${missing}: not found`);
    await expect(fetchInto([{ uri: 'hdfs://namenode/x.tgz' }])).rejects.toThrow('unsupported scheme "hdfs"');
  });
});
