/**
 * Marathon `fetch`: downloads (or copies) URIs into a task sandbox before the task starts,
 * verifies checksums, extracts archives and keeps a download cache, as the Mesos fetcher does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, realpath, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import { verifyLinks, type ExtractionScope } from './archive-writer.js';
import { loadUndici } from '../../core/undici.js';
import { FetchError } from './fetch-error.js';
import { parseDigest, parseSource, retrieve, type Digest, type RetrieveContext } from './fetch-source.js';
import { isDirectory, isWithin } from './sandbox.js';

export { FetchError } from './fetch-error.js';

export interface FetchItem {
  uri: string;
  /** Default true: archives are unpacked next to the fetched file. */
  extract?: boolean;
  executable?: boolean;
  cache?: boolean;
  /** File name (or directory, with a trailing "/" or when it exists) relative to the sandbox. */
  destPath?: string;
  /** Mesos' name for destPath. */
  outputFile?: string;
  /** `sha256:<hex>`. */
  checksum?: string;
}

export interface FetchOptions {
  sandbox: string;
  cacheDir: string;
  /** For the whole call (all items); default 300 s. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

const TAR_SUFFIXES = ['.tar.gz', '.tgz', '.tar', '.tar.bz2', '.tbz2', '.tar.xz', '.txz'];

/** Fetches the items in order; the first failure throws (a FetchError, or the abort reason). */
export async function fetchAll(items: FetchItem[], opts: FetchOptions): Promise<void> {
  if (items.length === 0) return;
  const timeoutSeconds = opts.timeoutSeconds && opts.timeoutSeconds > 0 ? opts.timeoutSeconds : 300;
  const deadline = AbortSignal.timeout(timeoutSeconds * 1000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  let agent: Dispatcher | undefined;
  const ctx: RetrieveContext = {
    signal,
    timeoutSeconds,
    dispatcher: async () => {
      if (!agent) {
        const undici = await loadUndici();
        const ms = timeoutSeconds * 1000;
        agent = new undici.Agent({ connectTimeout: Math.min(ms, 30_000), headersTimeout: ms, bodyTimeout: ms }).compose(
          undici.interceptors.redirect({ maxRedirections: 5 }),
        );
      }
      return agent;
    },
  };
  const sandbox = await realpath(opts.sandbox).catch(() => {
    throw new FetchError(`Cannot fetch ${items[0].uri}: sandbox ${opts.sandbox} does not exist`, items[0].uri);
  });
  // Shared by every archive of this fetch: a link one archive made must not serve the next.
  const scope: ExtractionScope = { sandbox, links: new Set() };
  try {
    for (const item of items) {
      try {
        await fetchOne(item, opts, ctx, scope);
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        throw err;
      }
    }
  } finally {
    await agent?.close().catch(() => {});
  }
}

async function fetchOne(item: FetchItem, opts: FetchOptions, ctx: RetrieveContext, scope: ExtractionScope): Promise<void> {
  const { uri } = item;
  const source = parseSource(uri);
  const expected = expectedDigest(item, source.fragmentDigest);
  const { sandbox } = scope;
  const target = await targetPath(item, source.basename, sandbox);
  const name = path.basename(target);

  const createdDir = await makeDirInside(sandbox, path.dirname(target), uri);
  const temp = path.join(path.dirname(target), `.${name}.fetch-${randomBytes(4).toString('hex')}`);
  let cacheFile: string | null = null;
  let stamp: CacheStamp | null = null;
  try {
    cacheFile = item.cache ? path.join(opts.cacheDir, cacheKey(uri, expected)) : null;
    stamp = cacheFile ? await fromCache(cacheFile, temp, expected) : null;
    if (!stamp) {
      const actual = await retrieve(uri, source, temp, ctx, expected?.algorithm);
      if (expected && actual !== expected.hex) {
        throw new FetchError(`Checksum mismatch for ${uri}: expected ${expected.algorithm} ${expected.hex}, got ${actual}`, uri, { permanent: true });
      }
      if (cacheFile) stamp = await toCache(temp, cacheFile, expected);
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => {});
    if (createdDir) await rm(createdDir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  if (item.executable) await chmod(target, 0o755);
  if (item.extract === false) return;
  // An archive from the cache whose entries were checked when it was last extracted: only the
  // write pass (which checks each entry against the disk again) is needed.
  const extracted = await extract(uri, target, name, scope, ctx.signal, { prechecked: stamp?.archiveChecked === true });
  if (extracted && cacheFile && stamp && !stamp.archiveChecked) await writeStamp(cacheFile, { ...stamp, archiveChecked: true });
}

function expectedDigest(item: FetchItem, fromFragment: Digest | null): Digest | null {
  if (item.checksum == null || item.checksum === '') return fromFragment;
  const digest = parseDigest(item.checksum, ':');
  if (!digest) {
    throw new FetchError(`Invalid checksum "${item.checksum}" for ${item.uri}: expected sha256:<64 hex digits> or sha512:<128 hex digits>`, item.uri, { permanent: true });
  }
  return digest;
}

/** Where the fetched file goes; refuses names that leave the sandbox. */
async function targetPath(item: FetchItem, basename: string, sandbox: string): Promise<string> {
  const { uri } = item;
  const requested = item.destPath || item.outputFile || '';
  let relative = requested;
  if (requested === '' || requested.endsWith('/') || (await isDirectory(path.resolve(sandbox, requested)))) {
    if (basename === '' || basename === '.' || basename === '..' || basename.includes('/')) {
      throw new FetchError(`Cannot fetch ${uri}: the URI names no file; give a destPath`, uri, { permanent: true });
    }
    relative = path.join(requested, basename);
  }
  const target = path.resolve(sandbox, relative);
  if (!isWithin(sandbox, target) || target === sandbox) {
    throw new FetchError(`Cannot fetch ${uri}: destination "${requested}" is outside the sandbox`, uri, { permanent: true });
  }
  return target;
}

/**
 * mkdir -p, but only once the deepest existing ancestor is known to be inside the sandbox (a
 * symlink there must not make us create directories elsewhere). Returns the first created dir.
 */
async function makeDirInside(sandbox: string, dir: string, uri: string): Promise<string | undefined> {
  let existing = dir;
  while (!(await exists(existing))) existing = path.dirname(existing);
  if (!isWithin(sandbox, await realpath(existing))) {
    throw new FetchError(`Cannot fetch ${uri}: destination ${path.relative(sandbox, dir)} is outside the sandbox`, uri, { permanent: true });
  }
  return mkdir(dir, { recursive: true });
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function cacheKey(uri: string, digest: Digest | null): string {
  return createHash('sha256').update(uri).update('\0').update(digest ? `${digest.algorithm}:${digest.hex}` : '').digest('hex');
}

/**
 * What the cache knows of one entry, beside it (`<entry>.ok`): the file it verified (size, mtime,
 * inode), its digest, and whether its archive entries passed the extraction check. A hit whose
 * file still matches is not hashed again, and its archive not checked twice; any other hit is.
 */
interface CacheStamp {
  size: number;
  mtimeMs: number;
  ino: number;
  /** `<algorithm>:<hex>`, or null for a download without a checksum. */
  digest: string | null;
  archiveChecked: boolean;
}

const digestText = (d: Digest | null): string | null => (d ? `${d.algorithm}:${d.hex}` : null);

async function readStamp(cacheFile: string): Promise<CacheStamp | null> {
  try {
    const s = JSON.parse(await readFile(`${cacheFile}.ok`, 'utf8')) as CacheStamp;
    return typeof s.size === 'number' && typeof s.mtimeMs === 'number' && typeof s.ino === 'number' ? s : null;
  } catch {
    return null;
  }
}

async function writeStamp(cacheFile: string, stamp: CacheStamp): Promise<void> {
  const temp = `${cacheFile}.ok.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(stamp), { mode: 0o600 });
    await rename(temp, `${cacheFile}.ok`);
  } catch {
    await unlink(temp).catch(() => {}); // without a stamp the next hit is verified again
  }
}

async function stampOf(cacheFile: string, expected: Digest | null): Promise<CacheStamp> {
  const s = await stat(cacheFile);
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, digest: digestText(expected), archiveChecked: false };
}

/**
 * Copies a cached download to `dest` (a reflink where the filesystem can); null on a miss. The
 * copy is verified against `expected` unless the entry's stamp says the file was verified as it
 * is now (same size, mtime and inode).
 */
async function fromCache(cacheFile: string, dest: string, expected: Digest | null): Promise<CacheStamp | null> {
  let current: CacheStamp;
  try {
    current = await stampOf(cacheFile, expected);
    await copyFile(cacheFile, dest, constants.COPYFILE_FICLONE);
  } catch {
    return null;
  }
  const known = await readStamp(cacheFile);
  if (known && known.size === current.size && known.mtimeMs === current.mtimeMs && known.ino === current.ino && known.digest === current.digest) return known;
  if (expected && (await digestOf(dest, expected.algorithm)) !== expected.hex) {
    // A damaged cache entry: drop it and download again.
    await unlink(cacheFile).catch(() => {});
    await unlink(`${cacheFile}.ok`).catch(() => {});
    await unlink(dest).catch(() => {});
    return null;
  }
  await writeStamp(cacheFile, current);
  return current;
}

/** Copies (not links: the task may modify or chmod its copy) into the cache, atomically; its stamp, or null. */
async function toCache(file: string, cacheFile: string, expected: Digest | null): Promise<CacheStamp | null> {
  // The daemon's own (0700, as makePrivate keeps the data dir's entries): while tasks of another
  // user pass through the data dir, they must not read what others fetched.
  await mkdir(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
  const temp = `${cacheFile}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await copyFile(file, temp, constants.COPYFILE_FICLONE);
    await rename(temp, cacheFile);
    const stamp = await stampOf(cacheFile, expected);
    await writeStamp(cacheFile, stamp);
    return stamp;
  } catch {
    await unlink(temp).catch(() => {}); // a cache that cannot be written is not a fetch failure
    return null;
  }
}

async function digestOf(file: string, algorithm: Digest['algorithm']): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Unpacks a recognised archive into the directory that holds it; false when it is not one.
 * `prechecked`: its entries passed the extraction check before (the same bytes, from the cache).
 */
async function extract(uri: string, file: string, name: string, scope: ExtractionScope, signal: AbortSignal, opts: { prechecked: boolean }): Promise<boolean> {
  const lower = name.toLowerCase();
  const isTar = TAR_SUFFIXES.some((suffix) => lower.endsWith(suffix));
  if (!isTar && !lower.endsWith('.zip')) return false;
  const target = { uri, name, root: await realpath(path.dirname(file)), scope };
  try {
    // The readers (node-tar, yauzl) are loaded when the first archive comes, not at daemon start.
    if (isTar) await (await import('./archive-tar.js')).extractTar(file, target, signal, opts);
    else await (await import('./archive-zip.js')).extractZip(file, target, signal);
  } catch (err) {
    // Also after a refused archive: what it did write must not leave a way out (its own
    // failure is the one reported).
    await verifyLinks(target).catch(() => {});
    throw err;
  }
  await verifyLinks(target);
  return true;
}
