/**
 * Starting and stopping task processes. Each task runs in its own process group (detached), so a
 * kill reaches everything the task forked, and the group outlives a daemon restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DcosError } from '../../core/errors.js';
import { isProcessGroupAlive, liveGroupMembers, readProcessStart } from './process-identity.js';
import { openSandboxLog } from './task-sandbox.js';
import { asUser, type TaskUser } from './task-user.js';

/**
 * A task process could not be started; `message` says what failed. `permanent`: trying again
 * cannot help (no such command, not executable, no such user).
 */
export class LaunchError extends DcosError {
  readonly permanent: boolean;

  constructor(message: string, options: { cause?: unknown; permanent?: boolean } = {}) {
    super('ELAUNCH', message, { cause: options.cause });
    this.name = 'LaunchError';
    this.permanent = options.permanent ?? false;
  }
}

export interface LaunchSpec {
  taskId: string;
  sandbox: string;
  /** Shell form: run as `/bin/sh -c <cmd>`. */
  cmd?: string | null;
  /** Exec form: `args[0]` is looked up on `env.PATH`, no shell. Used when `cmd` is absent. */
  args?: string[] | null;
  /** The complete environment of the task (nothing is inherited from the daemon). */
  env: Record<string, string>;
  stdoutFile: string;
  stderrFile: string;
  /** Run as this user (uid, gid, groups) instead of the daemon's: the daemon must be root. */
  user?: TaskUser | null;
}

export interface LaunchedProcess {
  child: ChildProcess;
  /** Also the process group id. */
  pid: number;
  /** From readProcessStart; null only if the process already exited. */
  start: string | null;
}

/**
 * Spawns the task. Throws LaunchError when the process cannot be created at all. Some failures
 * may still surface asynchronously: the caller must listen on `child.on('error')` (and on
 * 'exit'). The child is left ref'd; unref is the caller's decision.
 */
export function launchProcess(spec: LaunchSpec): LaunchedProcess {
  let [file, argv] = commandOf(spec);
  if (spec.user) {
    // setpriv would start and then fail to exec: say what is wrong while we can tell.
    const problem = diagnose(spec, file);
    if (problem !== null) throw new LaunchError(`Cannot run ${describe(spec)}: ${problem.text}`, { permanent: problem.permanent });
    [file, argv] = asUser(spec.user, file, argv);
  }
  const outFd = openLog(spec.stdoutFile);
  let errFd: number;
  try {
    errFd = openLog(spec.stderrFile);
  } catch (err) {
    closeSync(outFd);
    throw err;
  }
  let child: ChildProcess;
  try {
    child = spawn(file, argv, {
      cwd: spec.sandbox,
      env: spec.env,
      detached: true,
      stdio: ['ignore', outFd, errFd],
    });
  } catch (err) {
    throw new LaunchError(`Cannot run ${describe(spec)}: ${(err as Error).message}`, { cause: err });
  } finally {
    // The child holds its own copies now.
    closeSync(outFd);
    closeSync(errFd);
  }
  if (child.pid === undefined) {
    // Node reports ENOENT/EACCES on the next tick; keep that from becoming an uncaught error.
    child.once('error', () => {});
    const problem = diagnose(spec, file);
    throw new LaunchError(`Cannot run ${describe(spec)}: ${problem?.text ?? 'the process could not be created'}`, { permanent: problem?.permanent });
  }
  return { child, pid: child.pid, start: readProcessStart(child.pid) };
}

function commandOf(spec: LaunchSpec): [string, string[]] {
  if (spec.cmd != null && spec.cmd !== '') return ['/bin/sh', ['-c', spec.cmd]];
  if (spec.args && spec.args.length > 0 && spec.args[0] !== '') return [spec.args[0], spec.args.slice(1)];
  throw new LaunchError(`Task ${spec.taskId} has neither a command nor arguments to run`, { permanent: true });
}

function openLog(file: string): number {
  try {
    return openSandboxLog(file);
  } catch (err) {
    throw new LaunchError(`Cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function describe(spec: LaunchSpec): string {
  return spec.cmd != null && spec.cmd !== '' ? `command ${JSON.stringify(spec.cmd)}` : JSON.stringify(spec.args?.[0]);
}

/**
 * Why `file` cannot be run in the sandbox, or null when nothing is visibly wrong (libuv says
 * ENOENT both for a missing program and a missing cwd). A missing or non-executable program is
 * permanent: the next task of the app would run the same command.
 */
function diagnose(spec: LaunchSpec, file: string): { text: string; permanent: boolean } | null {
  try {
    if (!statSync(spec.sandbox).isDirectory()) return { text: `sandbox ${spec.sandbox} is not a directory`, permanent: false };
  } catch {
    return { text: `sandbox directory ${spec.sandbox} does not exist`, permanent: false };
  }
  const candidates = file.includes('/')
    ? [path.resolve(spec.sandbox, file)]
    : (spec.env.PATH ?? '').split(':').filter(Boolean).map((dir) => path.join(path.resolve(spec.sandbox, dir), file));
  const existing = candidates.filter((candidate) => {
    try {
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
  if (existing.length === 0) return { text: 'command not found', permanent: true };
  for (const candidate of existing) {
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      return { text: `permission denied (${candidate} is not executable)`, permanent: true };
    }
  }
  return null;
}

export type KillOutcome = 'exited' | 'killed' | 'gone';

const POLL_MS = 50;
/** After SIGKILL, a process in uninterruptible sleep may take a while; stop waiting eventually. */
const KILL_WAIT_MS = 10_000;

/**
 * Stops the process group led by `pid`: SIGTERM, then SIGKILL after `graceMs`.
 * 'gone': nothing was signalled (already dead, or the pid now belongs to another process);
 * 'exited': the group ended within the grace; 'killed': it needed SIGKILL.
 * Aborting `signal` stops the waiting (no further signals) and rejects with its reason.
 */
export async function killProcessGroup(
  pid: number,
  start: string | null,
  graceMs: number,
  signal?: AbortSignal,
): Promise<KillOutcome> {
  signal?.throwIfAborted();
  if (!isOurGroup(pid, start)) return 'gone';
  if (!signalGroup(pid, 'SIGTERM')) return 'gone';
  const deadline = Date.now() + Math.max(0, graceMs);
  while (Date.now() < deadline) {
    if (groupGone(pid, start)) return 'exited';
    await pause(Math.min(POLL_MS, Math.max(1, deadline - Date.now())), signal);
  }
  if (groupGone(pid, start)) return 'exited';
  if (!signalGroup(pid, 'SIGKILL')) return 'exited';
  const killDeadline = Date.now() + KILL_WAIT_MS;
  while (!groupGone(pid, start) && Date.now() < killDeadline) {
    await pause(POLL_MS, signal);
  }
  return 'killed';
}

/** A poll pause that rejects with the abort reason (timers/promises would give a generic AbortError). */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}

/**
 * Whether the group led by `pid` is still the task's. The leader may have exited while other
 * members live: the group id cannot be reused while any member exists (POSIX), so such a group
 * is still ours. A live leader must have the recorded start; with no recorded start we can only
 * insist that `pid` leads a group.
 */
function isOurGroup(pid: number, start: string | null): boolean {
  if (!Number.isInteger(pid) || pid <= 1 || !isProcessGroupAlive(pid)) return false;
  const current = readProcessStart(pid);
  if (current !== null) return start === null || current === start;
  return !groupGone(pid, start);
}

function groupGone(pid: number, start: string | null): boolean {
  if (!isProcessGroupAlive(pid)) return true;
  const current = readProcessStart(pid);
  if (current !== null) return start !== null && current !== start;
  // Leader gone or a zombie: look for live members (zombies only wait to be reaped).
  const members = liveGroupMembers(pid);
  return members !== null && members.length === 0;
}

/** Sends `sig` to the group; false if the group no longer exists. */
function signalGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
