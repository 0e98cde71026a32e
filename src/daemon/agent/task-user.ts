/**
 * An app's `user`: who its tasks run as. The daemon can run a task as another user only when it
 * is root (and has `setpriv`, which switches uid, gid and supplementary groups, then execs the
 * command in the same process, so the pid and process group stay the task's); any daemon can run
 * a task as its own user. Anything else is refused when the app is submitted, naming `/user`.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';

export interface TaskUser {
  name: string;
  uid: number;
  gid: number;
  /** Supplementary group ids (the primary one included, as `id -G` gives them). */
  groups: number[];
  home: string;
}

const LOOKUP_TIMEOUT_MS = 5000;

/** The passwd entry of `name` (through NSS where `getent` exists, else /etc/passwd), or null. */
export function lookupUser(name: string): TaskUser | null {
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/.test(name) || name.length > 64) return null;
  const line = passwdLine(name);
  if (!line) return null;
  const [user, , uid, gid, , home] = line.split(':');
  if (user !== name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) return null;
  return { name, uid: Number(uid), gid: Number(gid), groups: groupsOf(name, Number(gid)), home: home || '/' };
}

function passwdLine(name: string): string | null {
  try {
    const out = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: LOOKUP_TIMEOUT_MS });
    return out.split('\n')[0] || null;
  } catch (err) {
    // getent exits 2 for "no such key"; only a missing getent falls back to the file.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`)) ?? null;
  } catch {
    return null;
  }
}

function groupsOf(name: string, gid: number): number[] {
  try {
    const out = execFileSync('id', ['-G', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: LOOKUP_TIMEOUT_MS });
    const ids = out.trim().split(/\s+/).filter((g) => /^\d+$/.test(g)).map(Number);
    return ids.length > 0 ? ids : [gid];
  } catch {
    return [gid];
  }
}

/** The daemon's own uid, or null where there are no uids (Windows). */
function daemonUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

const SETPRIV_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** Where `setpriv` is: on PATH, or in the usual places. */
export function findSetpriv(searchPath = process.env.PATH ?? ''): string | null {
  for (const dir of [...searchPath.split(path.delimiter), ...SETPRIV_DIRS]) {
    if (!dir) continue;
    const candidate = path.join(dir, 'setpriv');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export type UserResolution =
  | { ok: true; user: TaskUser | null; switchTo: boolean }
  | { ok: false; problem: string };

/**
 * What running as `name` means here: no user (the daemon's own), the user without a switch (it is
 * the daemon's own user), a switch (the daemon is root), or why it cannot be done.
 */
export function resolveTaskUser(name: string | null | undefined, opts: { uid?: number | null; setpriv?: string | null } = {}): UserResolution {
  if (name == null || name === '') return { ok: true, user: null, switchTo: false };
  const user = lookupUser(name);
  if (!user) return { ok: false, problem: `user "${name}" does not exist on this node` };
  const uid = opts.uid === undefined ? daemonUid() : opts.uid;
  if (uid === user.uid) return { ok: true, user, switchTo: false };
  if (uid !== 0) {
    return { ok: false, problem: `tasks can run as "${name}" only when the cluster daemon runs as root or as "${name}" (it runs as uid ${uid ?? 'unknown'})` };
  }
  const setpriv = opts.setpriv === undefined ? findSetpriv() : opts.setpriv;
  if (!setpriv) return { ok: false, problem: `running tasks as "${name}" needs setpriv (util-linux) on this node` };
  return { ok: true, user, switchTo: true };
}

/** The command that runs `file argv` as `user`: setpriv with its uid, gid and groups. */
export function asUser(user: TaskUser, file: string, argv: string[], setpriv = findSetpriv() ?? 'setpriv'): [string, string[]] {
  // All of the user's groups, as a login would set them (never the daemon's).
  const groups = user.groups.length > 0 ? [`--groups=${user.groups.join(',')}`] : ['--clear-groups'];
  return [setpriv, [`--reuid=${user.uid}`, `--regid=${user.gid}`, ...groups, '--', file, ...argv]];
}

/** What a process running as `user` finds in its environment about itself. */
export function userEnvironment(user: TaskUser): Record<string, string> {
  return { HOME: user.home, USER: user.name, LOGNAME: user.name };
}
