import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingFromMirror, requireMirrored } from '../../../src/actions/asset-mirror.js';
import { mirroredUri, mirrorResource, packageAssets, parseAssetUri, parseMirror, usedBy } from '../../../src/universe/assets.js';
import type { PackageDefinition } from '../../../src/universe/model.js';
import { testActionCtx } from '../../helpers/index.js';

const SHA256 = 'ab'.repeat(32);
const SHA512 = 'CD'.repeat(64);

describe('asset URIs', () => {
  it('reads a sha256 or sha512 fragment as the checksum, and the file name without query or fragment', () => {
    expect(parseAssetUri(`https://dl.example.com/kafka/kafka_2.13-4.0.0.tgz?x=1#sha256=${SHA256}`)).toMatchObject({
      location: 'https://dl.example.com/kafka/kafka_2.13-4.0.0.tgz?x=1',
      fragment: `#sha256=${SHA256}`,
      fileName: 'kafka_2.13-4.0.0.tgz',
      checksum: { algorithm: 'sha256', hex: SHA256 },
    });
    expect(parseAssetUri(`https://a/b/c.tar.gz#sha512=${SHA512}`).checksum).toEqual({ algorithm: 'sha512', hex: SHA512.toLowerCase() });
    expect(parseAssetUri('file:///srv/my%20file.tgz').fileName).toBe('my file.tgz');
    expect(parseAssetUri('/srv/x.jar').fileName).toBe('x.jar');
  });

  it('takes a fragment of the wrong length or another algorithm as no checksum, and refuses a URI without a file name', () => {
    expect(parseAssetUri(`https://a/x.tgz#sha256=${SHA512}`).checksum).toBeUndefined();
    expect(parseAssetUri(`https://a/x.tgz#md5=${'a'.repeat(32)}`).checksum).toBeUndefined();
    expect(parseAssetUri('https://a/x.tgz').checksum).toBeUndefined();
    expect(() => parseAssetUri('https://a/')).toThrow(/names no file/);
    expect(() => parseAssetUri('not a uri')).toThrow(/not a URL/);
  });

  it('lists the assets of a revision', () => {
    const def = { resource: { assets: { uris: { jre: `https://a/jre.tgz#sha256=${SHA256}`, dist: 'https://b/dist.tgz' } } } } as unknown as PackageDefinition;
    expect(packageAssets(def).map((a) => [a.name, a.fileName, a.checksum?.algorithm])).toEqual([['jre', 'jre.tgz', 'sha256'], ['dist', 'dist.tgz', undefined]]);
  });
});

describe('the mirror rewrite', () => {
  it('looks an asset up by file name under a directory (file:// URI) or a base URL, keeping the fragment', () => {
    const asset = parseAssetUri(`https://downloads.apache.org/kafka/4.0.0/kafka_2.13-4.0.0.tgz#sha512=${SHA512}`);
    expect(mirroredUri(asset, parseMirror('/srv/mirror'))).toBe(`file:///srv/mirror/kafka_2.13-4.0.0.tgz#sha512=${SHA512}`);
    expect(mirroredUri(asset, parseMirror('http://10.0.0.5:8000/assets/'))).toBe(`http://10.0.0.5:8000/assets/kafka_2.13-4.0.0.tgz#sha512=${SHA512}`);
    const spaced = parseAssetUri('https://x/my%20file.tgz');
    expect(mirroredUri(spaced, parseMirror('/srv/m m'))).toBe('file:///srv/m%20m/my%20file.tgz');
    expect(mirroredUri(spaced, parseMirror('https://m.example.com'))).toBe('https://m.example.com/my%20file.tgz');
  });

  it('rewrites every URI of assets.uris and leaves the rest of the resource alone', () => {
    const resource = { assets: { uris: { a: `https://x/a.tgz#sha256=${SHA256}`, b: 'https://y/b.jar' }, container: { docker: { img: 'busybox' } } }, images: { 'icon-small': 'https://x/i.png' } };
    const { resource: next, rewritten } = mirrorResource(resource, parseMirror('/m'));
    expect(next?.assets?.uris).toEqual({ a: `file:///m/a.tgz#sha256=${SHA256}`, b: 'file:///m/b.jar' });
    expect(next?.assets?.container).toEqual(resource.assets.container);
    expect(next?.images).toEqual(resource.images);
    expect(resource.assets.uris.a).toBe(`https://x/a.tgz#sha256=${SHA256}`);
    expect(rewritten.map((r) => [r.name, r.location])).toEqual([['a', '/m/a.tgz'], ['b', '/m/b.jar']]);
    // Only what the rendered app refers to must be in the mirror.
    expect(usedBy({ fetch: [{ uri: `file:///m/a.tgz#sha256=${SHA256}` }] }, rewritten).map((r) => r.name)).toEqual(['a']);
  });

  it('refuses a relative mirror path (the setting stores it absolute)', () => {
    expect(() => parseMirror('mirror')).toThrow(/neither an absolute directory nor an http/);
  });
});

describe('the mirror check', () => {
  let dir: string;
  let server: Server;
  let base = '';
  const heads: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcos-mirror-'));
    writeFileSync(join(dir, 'here.tgz'), 'x');
    mkdirSync(join(dir, 'adir.tgz'));
    server = createServer((req, res) => {
      if (req.method === 'HEAD') heads.push(req.url ?? '');
      res.statusCode = req.url === '/assets/here.tgz' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/assets`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  const rewrite = (mirror: string) => mirrorResource({ assets: { uris: { here: `https://x/here.tgz#sha256=${SHA256}`, gone: 'https://x/gone.tgz', adir: 'https://x/adir.tgz' } } }, parseMirror(mirror)).rewritten;

  it('stats each file of a directory mirror', async () => {
    const { ctx } = testActionCtx({});
    const missing = await missingFromMirror(ctx, parseMirror(dir), rewrite(dir));
    expect(missing.map((m) => [m.asset.fileName, m.reason])).toEqual([['gone.tgz', 'no such file'], ['adir.tgz', 'not a regular file']]);
  });

  it('asks an http mirror with HEAD, and the error names the files and the mirror, with exit code 6', async () => {
    const { ctx } = testActionCtx({});
    const assets = rewrite(base);
    const missing = await missingFromMirror(ctx, parseMirror(base), assets);
    expect(missing.map((m) => [m.asset.fileName, m.reason])).toEqual([['gone.tgz', 'HTTP 404'], ['adir.tgz', 'HTTP 404']]);
    expect(heads).toEqual(expect.arrayContaining(['/assets/here.tgz', '/assets/gone.tgz']));
    const err = await requireMirrored(ctx, parseMirror(base), assets).then(() => undefined, (e: unknown) => e as { message: string; exitCode: number });
    expect(err?.exitCode).toBe(6);
    expect(err?.message).toContain('gone.tgz, adir.tgz');
    expect(err?.message).toContain(base);
    await expect(requireMirrored(ctx, parseMirror(base), assets.slice(0, 1))).resolves.toBeUndefined();
  });

  it('asks for the first byte with GET when the server does not answer HEAD', async () => {
    const ranges: string[] = [];
    const noHead = createServer((req, res) => {
      if (req.method === 'HEAD') res.statusCode = 405;
      else {
        ranges.push(String(req.headers.range));
        res.statusCode = req.url === '/here.tgz' ? 206 : 404;
      }
      res.end();
    });
    await new Promise<void>((resolve) => noHead.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(noHead.address() as AddressInfo).port}`;
      const { ctx } = testActionCtx({});
      const missing = await missingFromMirror(ctx, parseMirror(url), rewrite(url).slice(0, 2));
      expect(missing.map((m) => [m.asset.fileName, m.reason])).toEqual([['gone.tgz', 'HTTP 404']]);
      expect(ranges).toEqual(['bytes=0-0', 'bytes=0-0']);
    } finally {
      await new Promise((resolve) => noHead.close(resolve));
    }
  });

  it('reports an unreachable http mirror as the reason', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const { ctx } = testActionCtx({});
    const url = `http://127.0.0.1:${closed}`;
    const missing = await missingFromMirror(ctx, parseMirror(url), rewrite(url).slice(0, 1));
    expect(missing[0]?.reason).toBe('connection refused');
  });
});
