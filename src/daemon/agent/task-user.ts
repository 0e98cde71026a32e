/**
 * An app's `user`: who its tasks run as. The daemon can run a task as another user only when it
 * is root (and has `setpriv`, which switches uid, gid and supplementary groups, then execs the
 * command in the same process, so the pid and process group stay the task's); any daemon can run
 * a task as its own user. Anything else is refused when the app is submitted, naming `/user`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { currentUid } from '../../core/current-uid.js';

export interface TaskUser {
  name: string;
  uid: number;
  gid: number;
  /** Supplementary group ids (the primary one included, as `id -G` gives them). */
  groups: number[];
  home: string;
}

const LOOKUP_TIMEOUT_MS = 5000;
/**
 * How long an answer is reused. Every app POST/PUT naming a user and every task start asks (and
 * the health-check setup of a task adopted after a restart): scaling an app to 1000 instances
 * would otherwise spawn `getent` and `id` 1000 times. A user removed from the node is noticed
 * within this long.
 */
const FOUND_TTL_MS = 30_000;
/** A user that does not exist: remembered briefly, so a user created just now is found soon. */
const MISSING_TTL_MS = 3_000;

const cache = new Map<string, { user: TaskUser | null; expires: number }>();
const inFlight = new Map<string, Promise<TaskUser | null>>();

function cached(name: string): { user: TaskUser | null } | undefined {
  const hit = cache.get(name);
  if (!hit) return undefined;
  if (hit.expires > Date.now()) return hit;
  cache.delete(name);
  return undefined;
}

function remember(name: string, user: TaskUser | null): TaskUser | null {
  cache.set(name, { user, expires: Date.now() + (user ? FOUND_TTL_MS : MISSING_TTL_MS) });
  return user;
}

/** Forgets every answer (tests). */
export function clearUserCache(): void {
  cache.clear();
}

function validName(name: string): boolean {
  return /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/.test(name) && name.length <= 64;
}

function parseEntry(name: string, line: string | null, groups: (gid: number) => number[]): TaskUser | null {
  if (!line) return null;
  const [user, , uid, gid, , home] = line.split(':');
  if (user !== name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) return null;
  return { name, uid: Number(uid), gid: Number(gid), groups: groups(Number(gid)), home: home || '/' };
}

/**
 * The passwd entry of `name` (through NSS where `getent` exists, else /etc/passwd), or null.
 * Answered from the cache when it can be; otherwise looked up synchronously (for callers that
 * cannot wait: prefer lookupUserAsync, which also fills the cache).
 */
export function lookupUser(name: string): TaskUser | null {
  if (!validName(name)) return null;
  const hit = cached(name);
  if (hit) return hit.user;
  return remember(name, parseEntry(name, passwdLineSync(name), (gid) => groupsFrom(runSync('id', ['-G', name]), gid)));
}

/** lookupUser without blocking the event loop; concurrent lookups of a name share one. */
export function lookupUserAsync(name: string): Promise<TaskUser | null> {
  if (!validName(name)) return Promise.resolve(null);
  const hit = cached(name);
  if (hit) return Promise.resolve(hit.user);
  let pending = inFlight.get(name);
  if (!pending) {
    pending = (async () => {
      const line = await passwdLineAsync(name);
      const ids = line ? await runAsync('id', ['-G', name]) : null;
      return remember(name, parseEntry(name, line, (gid) => groupsFrom(ids, gid)));
    })().finally(() => inFlight.delete(name));
    inFlight.set(name, pending);
  }
  return pending;
}

// `code` is "ENOENT" when the program is missing (an exit status otherwise).
type Run = { out: string } | { error: { code?: string | number | null } };

function runSync(file: string, args: string[]): Run {
  try {
    return { out: execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: LOOKUP_TIMEOUT_MS }) };
  } catch (err) {
    return { error: err as { code?: string } };
  }
}

function runAsync(file: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: LOOKUP_TIMEOUT_MS }, (error, stdout) => resolve(error ? { error } : { out: stdout }));
  });
}

function passwdLineSync(name: string): string | null {
  return passwdLineFrom(name, runSync('getent', ['passwd', name]));
}

async function passwdLineAsync(name: string): Promise<string | null> {
  return passwdLineFrom(name, await runAsync('getent', ['passwd', name]));
}

function passwdLineFrom(name: string, run: Run): string | null {
  if ('out' in run) return run.out.split('\n')[0] || null;
  // getent exits 2 for "no such key"; only a missing getent falls back to the file.
  if (run.error.code !== 'ENOENT') return null;
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`)) ?? null;
  } catch {
    return null;
  }
}

function groupsFrom(run: Run | null, gid: number): number[] {
  if (!run || !('out' in run)) return [gid];
  const ids = run.out.trim().split(/\s+/).filter((g) => /^\d+$/.test(g)).map(Number);
  return ids.length > 0 ? ids : [gid];
}

const SETPRIV_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/**
 * Keyed by the PATH searched. Every task start and every COMMAND probe of a task of another user
 * needs it: looked up once for the life of the daemon, as its container runtime is.
 */
const setprivFound = new Map<string, string | null>();

/** Where `setpriv` is: on PATH, or in the usual places. */
function findSetpriv(searchPath = process.env.PATH ?? ''): string | null {
  const known = setprivFound.get(searchPath);
  if (known !== undefined) return known;
  let found: string | null = null;
  for (const dir of [...searchPath.split(path.delimiter), ...SETPRIV_DIRS]) {
    if (!dir) continue;
    const candidate = path.join(dir, 'setpriv');
    try {
      accessSync(candidate, constants.X_OK);
      found = candidate;
      break;
    } catch {
      // not here
    }
  }
  setprivFound.set(searchPath, found);
  return found;
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
  return resolution(name, lookupUser(name), opts);
}

/** resolveTaskUser without blocking the event loop on a lookup. */
export async function resolveTaskUserAsync(name: string | null | undefined, opts: { uid?: number | null; setpriv?: string | null } = {}): Promise<UserResolution> {
  if (name == null || name === '') return { ok: true, user: null, switchTo: false };
  return resolution(name, await lookupUserAsync(name), opts);
}

function resolution(name: string, user: TaskUser | null, opts: { uid?: number | null; setpriv?: string | null }): UserResolution {
  if (!user) return { ok: false, problem: `user "${name}" does not exist on this node` };
  const uid = opts.uid === undefined ? currentUid() : opts.uid;
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
