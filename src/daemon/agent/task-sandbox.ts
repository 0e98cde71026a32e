/**
 * Making a task's sandbox before anything else happens to the task: the directory and its stdout
 * and stderr files exist from the start, so a task that fails before its process runs (fetch,
 * checksum, container runtime, user, command) still has a sandbox to look into, holding the
 * agent's own account of what went wrong. For a task that runs as another user, the sandbox is
 * handed over to that user.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { lchown, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { currentUid } from '../../core/current-uid.js';

export const STDOUT = 'stdout';
export const STDERR = 'stderr';

/** Lines the agent itself writes into a task's stdout/stderr start with this. */
const AGENT_PREFIX = 'dcos-agent:';

/**
 * Opens one of the sandbox's log files for appending, never through a symlink: if something (an
 * archive, the task) put a link in its place, the link is replaced by a new file.
 */
export function openSandboxLog(file: string): number {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
  try {
    return openSync(file, flags, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
    unlinkSync(file);
    return openSync(file, flags, 0o644);
  }
}

/** Creates the sandbox with empty stdout and stderr. */
export function createSandbox(sandbox: string): void {
  mkdirSync(sandbox, { recursive: true, mode: 0o755 });
  for (const name of [STDOUT, STDERR]) closeSync(openSandboxLog(path.join(sandbox, name)));
}

/**
 * Appends a line of the agent's own (`dcos-agent: <text>`) to the task's stdout and stderr. Best
 * effort: it explains a failure that is reported anyway, so it never throws.
 */
export function noteInSandbox(sandbox: string, text: string): void {
  const line = `${AGENT_PREFIX} ${text.replace(/\n+$/, '')}\n`;
  for (const name of [STDOUT, STDERR]) {
    let fd: number | undefined;
    try {
      fd = openSandboxLog(path.join(sandbox, name));
      writeSync(fd, line);
    } catch {
      // no sandbox to write to (e.g. the disk is full): the task's message still says it
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/**
 * Gives the sandbox and everything in it to `uid:gid`, symlinks themselves included, following no
 * link. Run once, after the fetch and before the task's process starts: the fetcher (as the
 * daemon) never writes into a directory of the user's, and no process of that user knows the
 * sandbox's path yet. Even so, the walk gives a directory swapped for a symlink no hold: each
 * directory is opened with O_DIRECTORY|O_NOFOLLOW and its entries are reached through that open
 * directory (`/proc/self/fd/<fd>/<name>` resolves `<name>` in the directory the fd refers to,
 * wherever it is now: openat's semantics, which Node lacks), every non-directory is lchowned there,
 * and a directory that turns out to be a link when opened is lchowned as the link it is.
 *
 * Not `chown -hR`: whether that is race-free depends on which chown is installed (GNU's walks
 * with openat and fchownat; BusyBox's walks by path name, the race this avoids).
 */
export async function chownSandbox(sandbox: string, uid: number, gid: number): Promise<void> {
  const top = await open(sandbox, DIR_FLAGS);
  try {
    await chownTree(top, uid, gid);
  } finally {
    await top.close();
  }
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

async function chownTree(dir: FileHandle, uid: number, gid: number): Promise<void> {
  await dir.chown(uid, gid);
  const base = `/proc/self/fd/${dir.fd}`;
  for (const entry of await readdir(base, { withFileTypes: true })) {
    const child = `${base}/${entry.name}`;
    if (!entry.isDirectory()) {
      await lchown(child, uid, gid);
      continue;
    }
    let sub: FileHandle;
    try {
      sub = await open(child, DIR_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Swapped for a link or a file since it was listed: that entry is what gets chowned.
      if (code !== 'ELOOP' && code !== 'ENOTDIR') throw err;
      await lchown(child, uid, gid);
      continue;
    }
    try {
      await chownTree(sub, uid, gid);
    } finally {
      await sub.close();
    }
  }
}

/**
 * A task running as another user reaches its sandbox by its absolute path ($MESOS_SANDBOX), so
 * every directory from the data dir down to the sandbox must let others through: they get the
 * search bit only (0711), never the right to list, and the sandbox ids in the path are random.
 * The files directly in the data dir (the state database, logs) and its other directories are
 * made private to the daemon's user first, so being able to pass through the data dir gives
 * access to nothing but sandboxes. For the first such task: the others need only
 * openPathToAnotherSandbox while the data dir stays open.
 */
export function openPathToSandbox(dataDir: string, sandbox: string): void {
  const { data, rel } = pathBelow(dataDir, sandbox);
  const first = rel.split(path.sep)[0];
  for (const name of readdirSync(data)) {
    if (name === first) continue;
    const full = path.join(data, name);
    const st = lstatSync(full);
    if (!st.isSymbolicLink() && (st.mode & 0o077) !== 0) chmodSync(full, st.mode & 0o7700);
  }
  openPathDown(data, rel);
}

/** openPathToSandbox while the data dir is open already: the directories down to this sandbox. */
export function openPathToAnotherSandbox(dataDir: string, sandbox: string): void {
  const { data, rel } = pathBelow(dataDir, sandbox);
  openPathDown(data, rel);
}

/** The data dir resolved, and the sandbox's parent relative to it (which must be inside it). */
function pathBelow(dataDir: string, sandbox: string): { data: string; rel: string } {
  const data = path.resolve(dataDir);
  const rel = path.relative(data, path.dirname(path.resolve(sandbox)));
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`sandbox ${sandbox} is not inside ${dataDir}`);
  return { data, rel };
}

function openPathDown(data: string, rel: string): void {
  let dir = data;
  chmodSync(dir, 0o711);
  for (const part of rel.split(path.sep)) {
    dir = path.join(dir, part);
    chmodSync(dir, 0o711);
  }
}

/** Takes the search bit off the data dir again: no task of another user needs the path now. */
export function closePathToSandboxes(dataDir: string): void {
  chmodSync(dataDir, 0o700);
}

/** Whether the sandbox was handed over to a user other than the daemon's. */
export function sandboxOfOtherUser(sandbox: string): boolean {
  const uid = currentUid();
  try {
    return uid !== null && lstatSync(sandbox).uid !== uid;
  } catch {
    return false;
  }
}

/**
 * The first directory above `dir` (from `/` down) that `user` may not pass through, judged by its
 * mode bits (ACLs aside), or null if the whole path is open to them.
 */
export function firstClosedAncestor(dir: string, user: { uid: number; groups: number[] }): string | null {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (let i = 0; i <= parts.length; i++) {
    const st = lstatSync(current);
    const bit = st.uid === user.uid ? 0o100 : user.groups.includes(st.gid) ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return current;
    if (i < parts.length) current = path.join(current, parts[i]);
  }
  return null;
}
