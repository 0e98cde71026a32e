import { deflateRawSync, crc32 } from 'node:zlib';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipDirectory, readZipEntry } from '../../../../src/daemon/agent/archive-zip.js';
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
    const { symlinkSync } = await import('node:fs');
    symlinkSync(fx.outside, path.join(sandbox, 'pkg'));
    await expect(fetchArchive('app.zip', sandbox)).rejects.toThrow('would escape the sandbox');
    outsideIsEmpty();
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

describe('zip reader', () => {
  it('reads stored and deflated entries and unix modes', () => {
    const file = path.join(dirs.make(), 'hand.zip');
    const text = Buffer.from('hello hello hello hello\n'.repeat(50));
    writeZip(file, [
      { name: 'stored.txt', data: Buffer.from('plain') },
      { name: 'deflated.txt', data: text, deflate: true, mode: 0o100755 },
    ]);
    const buf = readFileSync(file);
    const entries = readZipDirectory(buf);
    expect(entries.map((e) => [e.name, e.method, e.mode])).toEqual([
      ['stored.txt', 0, null],
      ['deflated.txt', 8, 0o100755],
    ]);
    expect(readZipEntry(buf, entries[0]).toString()).toBe('plain');
    expect(readZipEntry(buf, entries[1]).equals(text)).toBe(true);
  });

  it('rejects corrupt data, and a backslash escape', async () => {
    const dir = dirs.make();
    const bad = path.join(dir, 'bad.zip');
    writeZip(bad, [{ name: 'a.txt', data: Buffer.from('abc') }]);
    const buf = readFileSync(bad);
    buf[30 + 'a.txt'.length] ^= 0xff; // flip a data byte: CRC must catch it
    expect(() => readZipEntry(buf, readZipDirectory(buf)[0])).toThrow('CRC mismatch');
    expect(() => readZipDirectory(Buffer.from('not a zip at all, not even close'))).toThrow('not a zip archive');

    const windows = path.join(dir, 'win.zip');
    writeZip(windows, [{ name: '..\\evil.txt', data: Buffer.from('x') }]);
    const sandbox = newSandbox();
    await expect(fetchAll([{ uri: windows }], { sandbox, cacheDir: dir })).rejects.toThrow('"..\\evil.txt" would escape');
  });
});
