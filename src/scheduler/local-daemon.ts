/**
 * Starting, finding and stopping the embedded cluster's daemon. The CLI never imports the daemon:
 * it spawns `dist/daemon/main.js` as its own detached process and talks to it over HTTP.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentUid } from '../core/current-uid.js';
import { ALREADY_RUNNING_EXIT_CODE, RECOVERY_PREFIX, REFUSED_PREFIX } from '../core/daemon-exit.js';
import { DcosError } from '../core/errors.js';
import { dirKey } from '../core/dir-key.js';
import { isSameProcess } from '../core/process-start.js';
import { readTokenFile, type TokenProblem } from '../core/token-file.js';
import { HttpClient } from './http-client.js';

export interface DaemonInfo {
  pid: number;
  start: string | null;
  port: number;
  url: string;
  name: string;
  startedAt: string;
  version: string;
  /** Device and inode of the data dir the daemon serves (absent from older daemons). */
  dir?: string;
}

/** The daemon's entry point in this installation. */
export function daemonEntry(env: Record<string, string | undefined>): string {
  if (env.DCOS_DAEMON_ENTRY) return resolve(env.DCOS_DAEMON_ENTRY);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'dist', 'daemon', 'main.js');
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, 'daemon', 'main.js')) && dir.endsWith('dist')) return join(dir, 'daemon', 'main.js');
    dir = dirname(dir);
  }
  throw new DcosError('EDAEMON_MISSING', 'The cluster daemon (dist/daemon/main.js) is missing from this installation', {
    hint: 'Build it with "npm run build".',
  });
}

/** The daemon serving `dataDir`; undefined if none, or if daemon.json was copied from another data dir. */
export function readDaemonInfo(dataDir: string): DaemonInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as DaemonInfo;
    if (info.dir !== undefined && info.dir !== dirKey(dataDir)) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

function tokenFile(dataDir: string): ReturnType<typeof readTokenFile> {
  return readTokenFile(join(dataDir, 'token'));
}

export function readToken(dataDir: string): string | undefined {
  return tokenFile(dataDir).token;
}

/** What is wrong with the token file, or undefined when it holds a token. */
export function tokenProblem(dataDir: string): TokenProblem | undefined {
  return tokenFile(dataDir).problem;
}

/**
 * A running daemon whose token cannot be read: how to get a new one. The daemon writes a new token
 * when it starts and finds the file missing, empty or unreadable to it; a file that is only
 * unreadable to us (another user's) needs that user instead.
 */
export function tokenError(name: string, dataDir: string, problem: TokenProblem, uid: number | null = currentUid()): DcosError {
  const named = name === 'local' ? '' : ` --name ${name}`;
  const file = join(dataDir, 'token');
  const restart = `"dcos cluster down${named}" stops the daemon (its tasks keep running), then "dcos cluster up${named}" starts it again and re-adopts them.`;
  let hint: string;
  if (problem.kind !== 'unreadable') {
    hint = `Restart its daemon, which then writes a new token: ${restart}`;
  } else if (problem.code !== 'EACCES' && problem.code !== 'EPERM') {
    hint = `Remove ${file} and restart its daemon, which then writes a new token: ${restart}`;
  } else if (problem.ownerUid !== undefined && uid !== null && problem.ownerUid === uid) {
    hint = `Make it readable again ("chmod 600 ${file}"), or restart its daemon, which then writes a new token: ${restart}`;
  } else {
    const whose = problem.ownerUid === undefined ? 'another user (its data dir is closed to you)' : `uid ${problem.ownerUid}`;
    hint = `The cluster belongs to ${whose}${uid === null ? '' : `, not to you (uid ${uid})`}: run dcos as the user that started it (its daemon runs as that user, so a restart by you cannot help).`;
  }
  return new DcosError('ECLUSTER_TOKEN', `Cluster [${name}] is running, but its token cannot be read: ${problem.message}`, { hint });
}

/** Whether the recorded daemon process still exists (not a reused pid). */
export function daemonAlive(info: DaemonInfo): boolean {
  // The daemon recorded its start with the same function (src/core), so the markers compare.
  if (info.start) return isSameProcess(info.pid, info.start);
  try {
    process.kill(info.pid, 0);
    return true;
  } catch {
    return false;
  }
}

export type DaemonHealth = 'running' | 'stopped' | 'unresponsive' | 'token-unreadable';

/**
 * Running (answers /ping), stopped (no live process), unresponsive (alive but silent), or
 * token-unreadable (it answers, but its token file is gone or unreadable, so nobody can use it:
 * `tokenProblem` says what is wrong).
 */
export async function daemonHealth(dataDir: string): Promise<{ health: DaemonHealth; info?: DaemonInfo; tokenProblem?: TokenProblem }> {
  const info = readDaemonInfo(dataDir);
  if (!info || !daemonAlive(info)) return { health: 'stopped' };
  const { token, problem } = tokenFile(dataDir);
  try {
    const res = await new HttpClient({ url: info.url, token, timeoutSeconds: 3 }).request('GET', '/ping');
    if (res.status === 200) return { health: 'running', info };
    if (problem && res.status === 401) return { health: 'token-unreadable', info, tokenProblem: problem };
    return { health: 'unresponsive', info };
  } catch {
    return { health: 'unresponsive', info };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the daemon for `dataDir` unless one already serves it. Waits until it answers, or says
 * why it did not start (the tail of its log).
 */
export async function startDaemon(opts: {
  dataDir: string;
  name: string;
  port?: number;
  /** The port was remembered from an earlier start (not asked for): another is fine if it is taken. */
  portIsPreference?: boolean;
  /** Privileged containers may run (for this daemon's life). */
  allowPrivileged?: boolean;
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<{ info: DaemonInfo; started: boolean }> {
  const current = await daemonHealth(opts.dataDir);
  if (current.health === 'running' && current.info) return { info: current.info, started: false };
  if (current.health === 'token-unreadable' && current.tokenProblem) throw tokenError(opts.name, opts.dataDir, current.tokenProblem);
  if (current.health === 'unresponsive' && current.info) {
    throw new DcosError('EDAEMON_UNRESPONSIVE', `The cluster daemon for ${opts.dataDir} (pid ${current.info.pid}) is running but does not answer`, {
      hint: `Stop it with "dcos cluster down --name ${opts.name}" and start it again.`,
    });
  }
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const logFile = join(opts.dataDir, 'daemon.log');
  // The log holds app ids, commands and errors: its owner's only, whatever mode it had.
  const out = openSync(logFile, 'a', 0o600);
  fchmodSync(out, 0o600);
  const logStart = statSync(logFile).size;
  const args = [daemonEntry(opts.env), '--data-dir', opts.dataDir, '--name', opts.name, '--port', String(opts.port ?? 0)];
  if (opts.portIsPreference) args.push('--port-fallback');
  if (opts.allowPrivileged) args.push('--allow-privileged');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out], env: opts.env as NodeJS.ProcessEnv });
  closeSync(out);
  let exitCode: number | null = null;
  child.on('exit', (code) => (exitCode = code ?? 1));
  child.unref();
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    await sleep(50);
    const info = readDaemonInfo(opts.dataDir);
    if (info && info.pid === child.pid) {
      const health = await daemonHealth(opts.dataDir);
      if (health.health === 'running') return { info, started: true };
    }
    if (exitCode !== null) {
      // Another start won the race for this data dir: use that daemon.
      const again = await daemonHealth(opts.dataDir);
      if (exitCode === ALREADY_RUNNING_EXIT_CODE && again.health === 'running' && again.info) return { info: again.info, started: false };
      const refused = refusal(logFile, logStart);
      if (refused) {
        throw new DcosError('EDAEMON_REFUSED', `The cluster daemon refused to start: ${refused.found}`, {
          hint: refused.recovery ? `To recover: ${refused.recovery}` : `Its log is ${logFile}.`,
        });
      }
      throw new DcosError('EDAEMON_START', `The cluster daemon exited while starting (exit code ${exitCode})`, {
        details: logTail(logFile).map((message) => ({ message })),
        showDetails: true,
        hint: `Its log is ${logFile}.`,
      });
    }
  }
  throw new DcosError('EDAEMON_START', `The cluster daemon did not answer within ${Math.round((opts.timeoutMs ?? 20_000) / 1000)}s`, {
    hint: `Its log is ${logFile}.`,
  });
}

/** The daemon's own account of why it refused its data dir, from what it logged since `from`. */
function refusal(file: string, from: number): { found: string; recovery?: string } | undefined {
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.max(0, Math.min(statSync(file).size - from, 64 * 1024)));
      text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, from)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const after = (marker: string) => {
    const line = text.split('\n').find((l) => l.includes(marker));
    return line === undefined ? undefined : line.slice(line.indexOf(marker) + marker.length).trim();
  };
  const found = after(` ${REFUSED_PREFIX}`);
  return found === undefined ? undefined : { found, recovery: after(` ${RECOVERY_PREFIX}`) };
}

function logTail(file: string, lines = 8): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

/** Stops the daemon and its tasks (SIGTERM, then SIGKILL after each app's grace period). */
export async function stopDaemon(dataDir: string, timeoutMs = 120_000): Promise<'stopped' | 'not-running' | 'stopped-without-tasks'> {
  const { health, info } = await daemonHealth(dataDir);
  if (health === 'stopped' || !info) return 'not-running';
  let outcome: 'stopped' | 'stopped-without-tasks' = 'stopped';
  const answer = health === 'running'
    ? await new HttpClient({ url: info.url, token: readToken(dataDir), timeoutSeconds: 10 }).request('POST', '/dcos-local/shutdown?stopTasks=true').catch(() => undefined)
    : undefined;
  if (answer?.status !== 202) {
    // It does not answer (or refuses): stop the daemon itself; its tasks are left running.
    process.kill(info.pid, 'SIGTERM');
    outcome = 'stopped-without-tasks';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!daemonAlive(info)) return outcome;
    await sleep(100);
  }
  process.kill(info.pid, 'SIGKILL');
  return outcome;
}
