import { deflateRawSync, crc32 } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAll } from '../../../../src/daemon/agent/fetcher.js';
import { tempDirs } from './agent-helpers.js';
import { buildFixtures, type Fixtures } from './fetch-fixtures.js';

const dirs = tempDirs();
let fx: Fixtures;

beforeAll(() => {
  fx = buildFixtures(dirs.make('dcos-archives-'));
});
afterAll(() => dirs.cleanup());

/** A sandbox two levels below the base, so "../../outside" from an entry points at fx.outside. */
function newSandbox(): string {
  const sandbox = path.join(path.dirname(fx.dir), `sandbox-${Math.random().toString(36).slice(2)}`);
  mkdirSync(sandbox);
  return sandbox;
}

async function fetchArchive(name: string, sandbox = newSandbox()): Promise<string> {
  await fetchAll([{ uri: path.join(fx.dir, name) }], { sandbox, cacheDir: path.join(sandbox, '..', 'cache') });
  return sandbox;
}

const outsideIsEmpty = () => expect(readdirSync(fx.outside)).toEqual([]);

describe('archive escapes are refused', () => {
  it.each([
    ['dotdot.tar.gz', '../evil-dotdot'],
    ['symlink.tgz', 'dir/link'],
    ['abs-symlink.tar', 'etc'],
    ['hardlink.tar', 'hl'],
    ['dotdot.zip', '../evil-zip'],
    ['symlink.zip', 'link'],
  ])('%s (entry %s)', async (archive, entry) => {
    const sandbox = newSandbox();
    await expect(fetchArchive(archive, sandbox)).rejects.toThrow(
      `Refusing to extract ${archive}: entry "${entry}" would escape the sandbox`,
    );
    outsideIsEmpty();
    expect(existsSync(path.join(path.dirname(sandbox), 'evil-dotdot'))).toBe(false);
    expect(existsSync(path.join(path.dirname(sandbox), 'evil-zip'))).toBe(false);
    // Refused before anything was unpacked: only the archive itself is there.
    expect(readdirSync(sandbox)).toEqual([archive]);
  });

  it('an absolute entry', async () => {
    const absolute = path.join(fx.outside, 'abs-evil');
    await expect(fetchArchive('absolute.tar')).rejects.toThrow(`entry "${absolute}" would escape the sandbox`);
    outsideIsEmpty();
  });

  it('links that stay inside are fine', async () => {
    const sandbox = await fetchArchive('inner-links.tar');
    expect(readlinkSync(path.join(sandbox, 'sub', 'up'))).toBe('../real.txt');
    expect(readFileSync(path.join(sandbox, 'hard'), 'utf8')).toBe('evil');
    expect(lstatSync(path.join(sandbox, 'hard')).nlink).toBe(2);
  });

  it('a zip cannot write through a symlink already in the sandbox', async () => {
    const sandbox = newSandbox();
    symlinkSync(fx.outside, path.join(sandbox, 'pkg'));
    await expect(fetchArchive('app.zip', sandbox)).rejects.toThrow('would escape the sandbox');
    outsideIsEmpty();
  });
});

/** Every symlink below `dir` (not followed), with where it really leads. */
function linksIn(dir: string): Array<{ link: string; leadsTo: string | null }> {
  const out: Array<{ link: string; leadsTo: string | null }> = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) {
      let leadsTo: string | null = null;
      try {
        leadsTo = realpathSync(full);
      } catch {
        // dangling
      }
      out.push({ link: full, leadsTo });
    } else if (st.isDirectory()) out.push(...linksIn(full));
  }
  return out;
}

/** No link left in the sandbox leads out of it. */
function noWayOut(sandbox: string): void {
  const real = realpathSync(sandbox);
  const out = linksIn(sandbox).filter((l) => l.leadsTo !== null && l.leadsTo !== real && !l.leadsTo.startsWith(`${real}/`));
  expect(out).toEqual([]);
}

async function fetchSeveral(names: string[], sandbox = newSandbox()): Promise<string> {
  await fetchAll(
    names.map((name) => ({ uri: path.join(fx.dir, name) })),
    { sandbox, cacheDir: path.join(sandbox, '..', 'cache') },
  );
  return sandbox;
}

describe('symlink chains cannot lead writes out', () => {
  it.each(['chain.tar', 'chain.zip'])('in one archive (%s)', async (archive) => {
    const sandbox = newSandbox();
    await expect(fetchSeveral([archive], sandbox)).rejects.toThrow(`Refusing to extract ${archive}: entry "a/l" would escape the sandbox`);
    outsideIsEmpty();
    noWayOut(sandbox);
  });

  it.each([
    ['chain-links.tar', 'chain-write.tar'],
    ['chain-links.zip', 'chain-write.zip'],
    ['chain-links.zip', 'chain-write.tar'],
    ['chain-links.tar', 'chain-write.zip'],
  ])('across two archives of one fetch (%s, then %s)', async (first, second) => {
    const sandbox = newSandbox();
    await expect(fetchSeveral([first, second], sandbox)).rejects.toThrow('would escape the sandbox');
    outsideIsEmpty();
    noWayOut(sandbox);
  });

  it.each([
    ['dot-link.tar', 'via-link.tar'],
    ['dot-link.zip', 'via-link.zip'],
  ])('a link resolved through a link of an earlier archive (%s, then %s)', async (first, second) => {
    const sandbox = newSandbox();
    await expect(fetchSeveral([first, second], sandbox)).rejects.toThrow(`Refusing to extract ${second}: entry "l" would escape the sandbox`);
    outsideIsEmpty();
    noWayOut(sandbox);
    // The earlier archive's harmless link is still there.
    expect(readlinkSync(path.join(sandbox, 'a'))).toBe('.');
  });

  it('a link redirected by a later link of the same archive is removed, and the archive refused', async () => {
    const sandbox = newSandbox();
    await expect(fetchSeveral(['redirect.tar'], sandbox)).rejects.toThrow(
      'Refusing to extract redirect.tar: the symbolic link "d/p" would escape the sandbox',
    );
    expect(existsSync(path.join(sandbox, 'd', 'p'))).toBe(false);
    expect(lstatSync(path.join(sandbox, 'd', 'q')).isSymbolicLink()).toBe(true);
    noWayOut(sandbox);
  });

  it.each([
    ['hardlink-to-symlink.tar', 'top'],
    ['hardlink-abs.tar', 'hl'],
    ['device.tar', 'null'],
  ])('refuses %s (entry %s)', async (archive, entry) => {
    const sandbox = newSandbox();
    await expect(fetchSeveral([archive], sandbox)).rejects.toThrow(`Refusing to extract ${archive}: entry "${entry}" would escape the sandbox`);
    noWayOut(sandbox);
  });

  it('an absolute zip entry', async () => {
    await expect(fetchSeveral(['absolute.zip'])).rejects.toThrow(`entry "${path.join(fx.outside, 'abs-evil')}-zip" would escape the sandbox`);
    outsideIsEmpty();
  });

  it('a tar cannot write through a symlink already in the sandbox', async () => {
    const sandbox = newSandbox();
    symlinkSync(fx.outside, path.join(sandbox, 'pkg'));
    await expect(fetchArchive('app.tar.gz', sandbox)).rejects.toThrow('would escape the sandbox');
    outsideIsEmpty();
  });
});

describe('archives with links that stay inside extract whole', () => {
  it('a release tree made by tar (links to files, to a directory, and a dangling one)', async () => {
    const sandbox = await fetchArchive('release.tar.gz');
    const rel = path.join(sandbox, 'release');
    expect(readFileSync(path.join(rel, 'lib', 'libx.so'), 'utf8')).toBe('lib\n');
    expect(readlinkSync(path.join(rel, 'lib', 'libx.so'))).toBe('libx.so.1');
    expect(readFileSync(path.join(rel, 'bin', 'x'), 'utf8')).toBe('lib\n');
    expect(readlinkSync(path.join(rel, 'current'))).toBe('lib');
    expect(readdirSync(path.join(rel, 'current'))).toEqual(['libx.so', 'libx.so.1']);
    expect(readlinkSync(path.join(rel, 'dangling'))).toBe('missing-yet');
    noWayOut(sandbox);
  });

  it('a zip with links inside', async () => {
    const sandbox = await fetchArchive('inner-links.zip');
    expect(readFileSync(path.join(sandbox, 'current', 'libx.so'), 'utf8')).toBe('lib');
    expect(readlinkSync(path.join(sandbox, 'lib', 'libx.so'))).toBe('libx.so.1');
  });

  it('two archives in one fetch, the second beside the links of the first', async () => {
    const sandbox = await fetchSeveral(['release.tar.gz', 'inner-links.zip', 'app.tar.bz2']);
    expect(readlinkSync(path.join(sandbox, 'release', 'current'))).toBe('lib');
    expect(readlinkSync(path.join(sandbox, 'current'))).toBe('lib');
    expect(readFileSync(path.join(sandbox, 'pkg', 'data.txt'), 'utf8')).toBe('payload\n');
    expect(lstatSync(path.join(sandbox, 'pkg', 'bin', 'run.sh')).mode & 0o777).toBe(0o755);
  });

  it('a very compressible one (megabytes of zeros, over 1000:1) extracts as tar would', async () => {
    const dir = dirs.make();
    const src = path.join(dir, 'src');
    mkdirSync(src);
    writeFileSync(path.join(src, 'zeros.img'), Buffer.alloc(8 * 1024 * 1024));
    execFileSync('tar', ['-czf', path.join(dir, 'zeros.tar.gz'), '-C', src, 'zeros.img']);
    const sandbox = newSandbox();
    await fetchAll([{ uri: path.join(dir, 'zeros.tar.gz') }], { sandbox, cacheDir: dir });
    expect(lstatSync(path.join(sandbox, 'zeros.img')).size).toBe(8 * 1024 * 1024);
  });

  it('a large gzipped file arrives whole (the parser is read at the pace of the writes)', async () => {
    const dir = dirs.make();
    const src = path.join(dir, 'src');
    mkdirSync(src);
    const big = randomBytes(6 * 1024 * 1024);
    writeFileSync(path.join(src, 'big.bin'), big);
    writeFileSync(path.join(src, 'small.txt'), 'after the big one\n');
    execFileSync('tar', ['-czf', path.join(dir, 'big.tar.gz'), '-C', src, 'big.bin', 'small.txt']);
    const sandbox = newSandbox();
    await fetchAll([{ uri: path.join(dir, 'big.tar.gz') }], { sandbox, cacheDir: dir });
    expect(readFileSync(path.join(sandbox, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(path.join(sandbox, 'small.txt'), 'utf8')).toBe('after the big one\n');
  });
});

/** A minimal zip writer for reader edge cases (stored or deflated entries, optional unix mode). */
function writeZip(file: string, entries: Array<{ name: string; data: Buffer; deflate?: boolean; mode?: number }>): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(e.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.mode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc32(e.data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...locals, cd, eocd]));
}

describe('zip reading', () => {
  it('reads stored and deflated entries and unix modes', async () => {
    const dir = dirs.make();
    const file = path.join(dir, 'hand.zip');
    const text = Buffer.from('hello hello hello hello\n'.repeat(50));
    writeZip(file, [
      { name: 'stored.txt', data: Buffer.from('plain') },
      { name: 'deflated.txt', data: text, deflate: true, mode: 0o100755 },
    ]);
    const sandbox = newSandbox();
    await fetchAll([{ uri: file }], { sandbox, cacheDir: dir });
    expect(readFileSync(path.join(sandbox, 'stored.txt'), 'utf8')).toBe('plain');
    expect(readFileSync(path.join(sandbox, 'deflated.txt')).equals(text)).toBe(true);
    expect(lstatSync(path.join(sandbox, 'stored.txt')).mode & 0o777).toBe(0o644);
    expect(lstatSync(path.join(sandbox, 'deflated.txt')).mode & 0o777).toBe(0o755);
  });

  it('rejects corrupt data, a file that is not a zip, and a backslash escape', async () => {
    const dir = dirs.make();
    const bad = path.join(dir, 'bad.zip');
    writeZip(bad, [{ name: 'a.txt', data: Buffer.from('abc') }]);
    const buf = readFileSync(bad);
    buf[30 + 'a.txt'.length] ^= 0xff; // flip a data byte: CRC must catch it
    writeFileSync(bad, buf);
    await expect(fetchAll([{ uri: bad }], { sandbox: newSandbox(), cacheDir: dir })).rejects.toThrow(
      'Failed to extract bad.zip: corrupt data in entry a.txt (CRC mismatch)',
    );
    const notZip = path.join(dir, 'not.zip');
    writeFileSync(notZip, 'not a zip at all, not even close');
    await expect(fetchAll([{ uri: notZip }], { sandbox: newSandbox(), cacheDir: dir })).rejects.toThrow(/^Cannot extract not\.zip: /);

    const windows = path.join(dir, 'win.zip');
    writeZip(windows, [{ name: '..\\evil.txt', data: Buffer.from('x') }]);
    const sandbox = newSandbox();
    await expect(fetchAll([{ uri: windows }], { sandbox, cacheDir: dir })).rejects.toThrow('"..\\evil.txt" would escape');
  });
});
