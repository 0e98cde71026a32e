/**
 * A small zip reader (no dependency, no `unzip` on many hosts): central directory, stored and
 * deflated entries, unix modes and symlinks. The whole archive is read into memory.
 */
import { lstat, mkdir, readFile, realpath, symlink, unlink, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { linkStaysInside, staysInside } from './archive-tar.js';
import { escapeError, FetchError } from './fetch-error.js';
import { isWithin } from './sandbox.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Unix mode (type and permission bits) when the archive was made on unix. */
  mode: number | null;
  isDirectory: boolean;
  isSymlink: boolean;
}

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

class ZipFormatError extends Error {}

/** The entries of the central directory. Throws ZipFormatError on malformed or ZIP64 input. */
export function readZipDirectory(buf: Buffer): ZipEntry[] {
  const eocd = findEocd(buf);
  const total = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ZipFormatError('ZIP64 archives are not supported');
  }
  if (cdOffset + cdSize > buf.length) throw new ZipFormatError('truncated central directory');
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < total; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL_SIG) throw new ZipFormatError('corrupt central directory');
    const madeBy = buf.readUInt16LE(at + 4);
    const flags = buf.readUInt16LE(at + 8);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const external = buf.readUInt32LE(at + 38);
    const name = decodeName(buf.subarray(at + 46, at + 46 + nameLength), flags);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const localOffset = buf.readUInt32LE(at + 42);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw new ZipFormatError('ZIP64 archives are not supported');
    }
    const mode = madeBy >> 8 === 3 ? external >>> 16 : null; // 3 = unix
    const isSymlink = mode !== null && (mode & S_IFMT) === S_IFLNK;
    const isDirectory = name.endsWith('/') || (mode !== null && (mode & S_IFMT) === S_IFDIR) || (external & 0x10) !== 0;
    entries.push({
      name,
      method: buf.readUInt16LE(at + 10),
      flags,
      crc: buf.readUInt32LE(at + 16),
      compressedSize,
      size,
      localOffset,
      mode,
      isDirectory: isDirectory && !isSymlink,
      isSymlink,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEocd(buf: Buffer): number {
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let at = buf.length - 22; at >= stop; at--) {
    if (buf.readUInt32LE(at) === EOCD_SIG) return at;
  }
  throw new ZipFormatError('not a zip archive (no end of central directory)');
}

/** UTF-8 when flagged or valid (Info-ZIP writes UTF-8 without the flag), else CP437-ish latin1. */
function decodeName(raw: Buffer, flags: number): string {
  if (flags & 0x800) return raw.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/** The uncompressed bytes of an entry, CRC-checked. */
export function readZipEntry(buf: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL_SIG) throw new ZipFormatError(`corrupt entry ${entry.name}`);
  if (entry.flags & 0x1) throw new ZipFormatError(`entry ${entry.name} is encrypted`);
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new ZipFormatError(`truncated entry ${entry.name}`);
  const raw = buf.subarray(start, end);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      // The bound stops a lying header (zip bomb) from inflating past the declared size.
      data = entry.size === 0 ? Buffer.alloc(0) : inflateRawSync(raw, { maxOutputLength: entry.size });
    } catch {
      throw new ZipFormatError(`corrupt data in entry ${entry.name}`);
    }
  } else throw new ZipFormatError(`entry ${entry.name} uses unsupported compression method ${entry.method}`);
  if (data.length !== entry.size || crc32(data) >>> 0 !== entry.crc >>> 0) {
    throw new ZipFormatError(`corrupt data in entry ${entry.name} (CRC mismatch)`);
  }
  return data;
}

/** Extracts the zip at `file` into `dir`, refusing it whole if any entry would escape. */
export async function extractZip(uri: string, file: string, name: string, dir: string): Promise<void> {
  let buf: Buffer;
  let entries: ZipEntry[];
  try {
    buf = await readFile(file);
    entries = readZipDirectory(buf);
  } catch (err) {
    throw new FetchError(`Cannot extract ${name}: ${(err as Error).message}`, uri, { cause: err });
  }
  // Check everything before writing anything.
  const targets = new Map<ZipEntry, string>();
  for (const entry of entries) {
    if (!staysInside(entry.name)) throw escapeError(uri, name, entry.name);
    if (entry.isSymlink) {
      const target = readEntry(uri, name, buf, entry).toString('utf8');
      if (!linkStaysInside(entry.name.replace(/\/+$/, ''), target)) throw escapeError(uri, name, entry.name);
      targets.set(entry, target);
    }
  }
  const root = await realpath(dir);
  for (const entry of entries) {
    const relative = path.posix.normalize(entry.name.replace(/\\/g, '/')).replace(/\/+$/, '');
    if (relative === '.' || relative === '') continue;
    const dest = path.join(root, relative);
    const parent = path.dirname(dest);
    await mkdir(parent, { recursive: true });
    // A symlink extracted earlier (or already in the sandbox) must not lead writes outside.
    if (!isWithin(root, await realpath(parent))) throw escapeError(uri, name, entry.name);
    if (entry.isDirectory) {
      await mkdir(dest, { recursive: true, mode: 0o755 });
      if (!isWithin(root, await realpath(dest))) throw escapeError(uri, name, entry.name);
      continue;
    }
    await removeLink(dest);
    const target = targets.get(entry);
    if (target !== undefined) {
      await symlink(target, dest);
      continue;
    }
    const perms = entry.mode !== null && (entry.mode & 0o777) !== 0 ? entry.mode & 0o777 : 0o644;
    await writeFile(dest, readEntry(uri, name, buf, entry), { mode: perms });
    await chmod(dest, perms); // mode above only applies to new files
  }
}

function readEntry(uri: string, name: string, buf: Buffer, entry: ZipEntry): Buffer {
  try {
    return readZipEntry(buf, entry);
  } catch (err) {
    throw new FetchError(`Cannot extract ${name}: ${(err as Error).message}`, uri, { cause: err });
  }
}

/** Writing through an existing symlink would follow it: replace the link instead. */
async function removeLink(dest: string): Promise<void> {
  try {
    if ((await lstat(dest)).isSymbolicLink()) await unlink(dest);
  } catch {
    // does not exist
  }
}
