/**
 * Task sandboxes, laid out as a Mesos agent does, and the safe file access behind the Mesos files
 * API (`/files/read`, `/files/browse`): nothing outside the sandboxes may ever be served.
 *
 * A task owns its sandbox and may change it between the API's check of a path and its use (swap a
 * directory for a symlink to `/` or `/dev`), or plant a FIFO whose open would block a libuv thread
 * until a writer comes (four of them stall every file operation of the daemon, fetches included).
 * An open is itself an act for some files: a device acts on it (a watchdog left open and not
 * closed properly reboots the host), a FIFO wakes its writer. So on Linux a path is first only
 * referred to (O_PATH, which opens nothing), judged by what it refers to (its real path, from the
 * descriptor, and its type), and only a regular file is then opened, through that very reference.
 */
import { constants, readFileSync, realpathSync, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { HAS_PROC } from '../../core/process-start.js';

/** `<dataDir>/slaves/<agentId>/frameworks/<frameworkId>/executors/<taskId>/runs/<containerId>` */
export function sandboxPath(
  dataDir: string,
  agentId: string,
  frameworkId: string,
  taskId: string,
  containerId: string,
): string {
  for (const part of [agentId, frameworkId, taskId, containerId]) {
    if (part === '' || part === '.' || part === '..' || part.includes('/') || part.includes('\0')) {
      throw new Error(`Invalid sandbox path component ${JSON.stringify(part)}`);
    }
  }
  return path.join(dataDir, 'slaves', agentId, 'frameworks', frameworkId, 'executors', taskId, 'runs', containerId);
}

/**
 * The real path of `requested` (absolute, or relative to `root`) if it exists and lies inside
 * `root` after following every symlink; null otherwise.
 */
export function resolveInside(root: string, requested: string): string | null {
  if (requested.includes('\0')) return null;
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(path.resolve(root, requested));
  } catch {
    return null;
  }
  return isWithin(realRoot, real) ? real : null;
}

/** Whether `candidate` is `parent` or below it (both absolute and normalized). */
export function isWithin(parent: string, candidate: string): boolean {
  const rel = path.relative(parent, candidate);
  // A member may be called "..x"; only ".." itself or "../..." leaves the parent.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The opened path is not inside the sandboxes (it was swapped after the check). */
export class OutsideSandboxError extends Error {}

export interface ConfinedEntry {
  /**
   * A regular file: open for reading. A directory: a handle to list it by (pass it to `browse`);
   * on Linux a reference only, not open for reading.
   */
  handle: FileHandle;
  /** The real path of what was opened. */
  real: string;
  stats: Stats;
}

/** Linux's O_PATH (Node does not export it): a descriptor that refers to a file without opening it. */
const O_PATH = 0o10000000;
const REFER_FLAGS = O_PATH | constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);
const OPEN_FLAGS = READ_FLAGS | constants.O_NOFOLLOW;

/**
 * Opens `file` (a real path, checked by the caller) for reading (a regular file) or listing (a
 * directory), and returns it only if what it is is still where `allowed` says it may be. Never
 * follows a symlink in the last component; a directory on the way swapped for a symlink is caught
 * by the real path of the descriptor. Anything but a regular file or a directory (a socket, FIFO,
 * device or symlink) is refused with NotRegularFileError, and on Linux never opened at all. Throws
 * OutsideSandboxError, NotRegularFileError, or the open's error.
 */
export async function openConfined(file: string, allowed: (real: string) => boolean): Promise<ConfinedEntry> {
  return HAS_PROC ? openByReference(file, allowed) : openNonBlocking(file, allowed);
}

async function openByReference(file: string, allowed: (real: string) => boolean): Promise<ConfinedEntry> {
  const ref = await open(file, REFER_FLAGS);
  let kept = false;
  try {
    const stats = await ref.stat();
    const self = `/proc/self/fd/${ref.fd}`;
    const real = await readlink(self);
    if (!allowed(real)) throw new OutsideSandboxError(`${file} is outside the sandboxes`);
    if (stats.isDirectory()) {
      kept = true;
      return { handle: ref, real, stats };
    }
    if (!stats.isFile()) throw new NotRegularFileError(`${file} is a ${fileKind(stats)}`, fileKind(stats));
    // Reopening the descriptor's link opens the very file judged, whatever is at its path now.
    return { handle: await open(self, READ_FLAGS), real, stats };
  } finally {
    if (!kept) await ref.close();
  }
}

/** Elsewhere: opened without blocking (a FIFO or device open may still act), then judged. */
async function openNonBlocking(file: string, allowed: (real: string) => boolean): Promise<ConfinedEntry> {
  const handle = await open(file, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    const real = await realPathOf(file, stats);
    if (real === null || !allowed(real)) throw new OutsideSandboxError(`${file} is outside the sandboxes`);
    if (!stats.isFile() && !stats.isDirectory()) throw new NotRegularFileError(`${file} is a ${fileKind(stats)}`, fileKind(stats));
    return { handle, real, stats };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The path's real target must be the very file that is open. */
async function realPathOf(file: string, stats: Stats): Promise<string | null> {
  try {
    const real = await realpath(file);
    const st = await stat(real);
    return st.dev === stats.dev && st.ino === stats.ino ? real : null;
  } catch {
    return null;
  }
}

/** What a file is, in words, for the error that refuses it. */
export function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'regular file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSocket()) return 'socket';
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSymbolicLink()) return 'symbolic link';
  return 'special file';
}

/** Mesos reads at most 16 pages per call. */
export const MAX_READ_LENGTH = 64 * 1024;

export interface FileChunk {
  data: string;
  offset: number;
}

/**
 * Mesos `/files/read` semantics: offset -1 gives the size and no data; an offset at or past
 * the end gives no data and echoes the offset; length absent or -1 reads to EOF; every read is
 * capped at 64 KiB.
 */
export async function readFileRange(file: string | FileHandle, offset: number, length?: number | null): Promise<FileChunk> {
  if (!Number.isInteger(offset) || offset < -1) throw new RangeError(`Invalid offset ${offset}`);
  if (length != null && (!Number.isInteger(length) || length < -1)) throw new RangeError(`Invalid length ${length}`);
  const handle = typeof file === 'string' ? await open(file, constants.O_RDONLY | constants.O_NONBLOCK) : file;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new NotRegularFileError(`${typeof file === 'string' ? file : 'the file'} is not a regular file`, fileKind(st));
    const { size } = st;
    if (offset === -1) return { data: '', offset: size };
    if (offset >= size || length === 0) return { data: '', offset };
    const wanted = length == null || length === -1 ? size - offset : Math.min(length, size - offset);
    const buffer = Buffer.alloc(Math.min(wanted, MAX_READ_LENGTH));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return { data: buffer.subarray(0, bytesRead).toString('utf8'), offset };
  } finally {
    // A handle passed in is the caller's to close.
    if (typeof file === 'string') await handle.close();
  }
}

/** Only regular files are read: a FIFO, socket or device never is. */
export class NotRegularFileError extends Error {
  /** What it is instead, in words (`socket`, `FIFO`, `character device`, ...). */
  readonly kind: string;
  constructor(message: string, kind = 'special file') {
    super(message);
    this.kind = kind;
  }
}

export interface BrowseEntry {
  path: string;
  nlink: number;
  size: number;
  /** Unix seconds. */
  mtime: number;
  /** `ls -l` style, e.g. `-rw-r--r--`. */
  mode: string;
  uid: string;
  gid: string;
}

/**
 * Mesos `/files/browse`: one entry per directory member (symlinks described, not followed).
 * Given the directory's open handle, lists that very directory (through /proc/self/fd where there
 * is one), whatever has been renamed into its place since; entries are named under `dir`.
 */
export async function browse(dir: string, opened?: FileHandle): Promise<BrowseEntry[]> {
  const base = opened && HAS_PROC ? `/proc/self/fd/${opened.fd}` : dir;
  const names = (await readdir(base)).sort();
  const entries: BrowseEntry[] = [];
  for (const name of names) {
    let st;
    try {
      st = await lstat(path.join(base, name));
    } catch {
      continue; // removed while listing
    }
    entries.push({
      path: path.join(dir, name),
      nlink: st.nlink,
      size: st.size,
      mtime: Math.floor(st.mtimeMs / 1000),
      mode: modeString(st.mode),
      uid: idName('/etc/passwd', st.uid),
      gid: idName('/etc/group', st.gid),
    });
  }
  return entries;
}

/** Whether `dir` exists and is a directory (for the 404 of browse). */
export async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

const TYPE_CHARS: Array<[number, string]> = [
  [0o040000, 'd'],
  [0o120000, 'l'],
  [0o010000, 'p'],
  [0o140000, 's'],
  [0o020000, 'c'],
  [0o060000, 'b'],
];

/** `ls -l` permission string, including setuid/setgid/sticky bits. */
export function modeString(mode: number): string {
  const type = TYPE_CHARS.find(([bits]) => (mode & 0o170000) === bits)?.[1] ?? '-';
  const rwx = (bits: number, special: boolean, specialChar: string): string => {
    const x = bits & 1 ? 'x' : '-';
    const exec = special ? (bits & 1 ? specialChar : specialChar.toUpperCase()) : x;
    return (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + exec;
  };
  return (
    type +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't')
  );
}

const idTables = new Map<string, Map<number, string>>();

/** The name of a uid/gid from passwd/group (Node has no getpwuid); the number if unknown. */
function idName(table: string, id: number): string {
  let names = idTables.get(table);
  if (!names) {
    names = new Map();
    try {
      for (const line of readFileSync(table, 'utf8').split('\n')) {
        const [name, , num] = line.split(':');
        if (name && num && /^\d+$/.test(num) && !names.has(Number(num))) names.set(Number(num), name);
      }
    } catch {
      // no such table (e.g. some macOS setups): numbers it is
    }
    idTables.set(table, names);
  }
  return names.get(id) ?? String(id);
}
