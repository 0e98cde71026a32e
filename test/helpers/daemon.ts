/**
 * Starting the REAL embedded cluster daemon (`dist/daemon/main.js`) for integration tests: a fresh
 * data dir per daemon, its token, a small API client, polling, crash/restart, and a shutdown that
 * proves no task process of the daemon is left behind.
 *
 * Every daemon started here is remembered until stopped: call `stopAllDaemons()` from
 * afterEach/afterAll so a failing test never leaks processes. As a last resort, the daemons and
 * their task processes are SIGKILLed when the test process exits.
 *
 * PID 1 of the test machines may not reap orphans: task processes outliving the daemon become
 * zombies there, so liveness is always judged by `/proc/<pid>/stat` (state `Z` = dead).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from './shared.js';

export { sleep };

export const DAEMON_MAIN = join(REPO_ROOT, 'dist', 'daemon', 'main.js');

/** Resources offered unless a test says otherwise: enough for many small tasks on a 2-core box. */
const DEFAULT_ENV: Record<string, string> = {
  DCOS_NODE_CPUS: '8',
  DCOS_NODE_MEM: '8192',
  DCOS_NODE_DISK: '10000',
};

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed body, or undefined when it is not JSON (or empty). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  text: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** What is awaited, for the timeout message. */
  what: string;
  intervalMs?: number;
}

export interface TaskProcess {
  pid: number;
  pgid: number;
  /** MESOS_TASK_ID of the process, if it has one. */
  taskId: string | undefined;
  cmdline: string;
}

export interface TestDaemon {
  url: string;
  token: string;
  dataDir: string;
  /** The directory holding dataDir and the daemon's log (removed by a clean stop). */
  tmpDir: string;
  pid: number;
  agentId: string;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  waitFor<T>(predicate: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>>;
  /** Live processes of this daemon's tasks (by DCOS_AGENT_ID in their environment). */
  taskProcesses(): TaskProcess[];
  /** The daemon's stderr so far. */
  log(): string;
  sigkill(): Promise<void>;
  /** SIGTERM: the daemon stops, its tasks keep running. */
  sigterm(): Promise<void>;
  /** A new daemon process on the same data dir (the previous one must be gone). */
  restart(): Promise<void>;
  /** Shutdown with stopTasks, wait for the exit, then assert no task process is left. */
  stop(): Promise<void>;
  readonly running: boolean;
}

const live = new Set<Daemon>();

export async function startDaemon(opts: { env?: Record<string, string>; dataDir?: string } = {}): Promise<TestDaemon> {
  if (!existsSync(DAEMON_MAIN)) {
    throw new Error(`${DAEMON_MAIN} is missing: run npm run build before the integration tests`);
  }
  const tmpDir = mkdtempSync(join(tmpdir(), 'dcos-it-'));
  const daemon = new Daemon(tmpDir, opts.dataDir ?? join(tmpDir, 'data'), { ...DEFAULT_ENV, ...opts.env });
  live.add(daemon);
  try {
    await daemon.launch();
  } catch (err) {
    await daemon.stop().catch(() => undefined);
    throw err;
  }
  return daemon;
}

/** Stops every daemon still running (for afterEach/afterAll); throws if any stop found a problem. */
export async function stopAllDaemons(): Promise<void> {
  const errors: unknown[] = [];
  for (const daemon of [...live]) {
    try {
      await daemon.stop();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => (e as Error).message).join('\n'));
}

/** Polls until `predicate` returns a truthy value, which it returns; fails after the timeout. */
export async function waitFor<T>(predicate: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await predicate();
      lastError = undefined;
      if (last) return last as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError ? `last error: ${(lastError as Error).message}` : `last value: ${short(last)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${opts.what} (${detail})`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}

// ------------------------------------------------------------------------------------------------
// /proc

interface ProcStat {
  state: string;
  pgid: number;
}

export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgid: Number(fields[2]) };
}

/** Alive = exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

export function processEnv(pid: number): Record<string, string> | null {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return null;
  }
  const env: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Live (non-zombie) processes whose environment has DCOS_AGENT_ID=<agentId>. */
export function processesOfAgent(agentId: string): TaskProcess[] {
  const out: TaskProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const env = processEnv(pid);
    if (!env || env.DCOS_AGENT_ID !== agentId) continue;
    const stat = procStat(pid);
    if (!stat || stat.state === 'Z') continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    out.push({ pid, pgid: stat.pgid, taskId: env.MESOS_TASK_ID, cmdline });
  }
  return out;
}

function killGroups(procs: TaskProcess[]): void {
  for (const pgid of new Set(procs.map((p) => p.pgid))) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

// ------------------------------------------------------------------------------------------------

class Daemon implements TestDaemon {
  url = '';
  token = '';
  pid = 0;
  agentId = '';
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private readonly logFile: string;

  constructor(
    readonly tmpDir: string,
    readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {
    this.logFile = join(tmpDir, 'daemon.log');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async launch(): Promise<void> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      // A clean daemon: not a vitest worker, no inherited node options or stray cluster settings.
      if (v === undefined || /^(VITEST|NODE_OPTIONS$|DCOS_)/.test(k)) continue;
      env[k] = v;
    }
    Object.assign(env, this.env);
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [DAEMON_MAIN, '--data-dir', this.dataDir, '--port', '0'], {
        env,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const pid = child.pid;
    if (pid === undefined) throw new Error('Could not spawn the daemon');
    this.pid = pid;
    const infoFile = join(this.dataDir, 'daemon.json');
    const info = await waitFor(
      () => {
        // An exit ends the wait at once (a daemon that refuses its data dir exits straight away).
        if (!this.running) return { exited: true as const };
        try {
          const parsed = JSON.parse(readFileSync(infoFile, 'utf8')) as { pid: number; url: string };
          return parsed.pid === pid ? parsed : undefined;
        } catch {
          return undefined;
        }
      },
      { what: `${infoFile} of daemon pid ${pid}`, timeoutMs: 15_000, intervalMs: 25 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- daemon log ---\n${this.log()}`);
    });
    if ('exited' in info) throw new Error(`the daemon exited (code ${child.exitCode}): ${this.log()}`);
    this.url = info.url;
    this.token = readFileSync(join(this.dataDir, 'token'), 'utf8').trim();
    await waitFor(async () => (await this.api('GET', '/ping')).status === 200, { what: 'GET /ping = 200', timeoutMs: 10_000, intervalMs: 25 });
    const state = await this.api('GET', '/mesos/master/state.json');
    const agentId = state.json?.slaves?.[0]?.id;
    if (typeof agentId !== 'string' || agentId === '') throw new Error(`No agent id in state.json: ${state.text}`);
    if (this.agentId && this.agentId !== agentId) throw new Error(`The agent id changed across a restart: ${this.agentId} -> ${agentId}`);
    this.agentId = agentId;
  }

  async api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'authorization')) h.authorization = `token=${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  waitFor<T>(predicate: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
    return waitFor(predicate, opts);
  }

  taskProcesses(): TaskProcess[] {
    return processesOfAgent(this.agentId);
  }

  private async waitExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    const timer = sleep(timeoutMs).then(() => false);
    return Promise.race([this.exited!.then(() => true), timer]);
  }

  async sigkill(): Promise<void> {
    if (!this.running) throw new Error('sigkill: the daemon is not running');
    this.child!.kill('SIGKILL');
    if (!(await this.waitExit(5000))) throw new Error(`daemon ${this.pid} did not die on SIGKILL`);
  }

  async sigterm(): Promise<void> {
    if (!this.running) throw new Error('sigterm: the daemon is not running');
    this.child!.kill('SIGTERM');
    if (!(await this.waitExit(10_000))) throw new Error(`daemon ${this.pid} did not exit on SIGTERM`);
  }

  async restart(): Promise<void> {
    if (this.running) throw new Error('restart: the daemon is still running; sigkill or sigterm it first');
    await this.launch();
  }

  async stop(): Promise<void> {
    if (!live.has(this)) return;
    const problems: string[] = [];
    try {
      // Tasks left by a killed daemon are re-adopted by a new one, which then stops them.
      if (!this.running && this.agentId) await this.launch();
      if (this.running) {
        const res = await this.api('POST', '/dcos-local/shutdown?stopTasks=true').catch((err: Error) => ({ status: 0, text: err.message }));
        if (res.status !== 202) problems.push(`shutdown answered ${res.status}: ${res.text}`);
        if (!(await this.waitExit(20_000))) {
          problems.push(`daemon ${this.pid} did not exit within 20 s of the shutdown request`);
          this.child!.kill('SIGKILL');
          await this.waitExit(5000);
        }
      }
    } catch (err) {
      problems.push(`stopping failed: ${(err as Error).message}`);
      if (this.running) {
        this.child!.kill('SIGKILL');
        await this.waitExit(5000);
      }
    }
    if (this.agentId) {
      // A health-check probe may outlive the daemon by a moment; a task process must not.
      let left = this.taskProcesses();
      const deadline = Date.now() + 3000;
      while (left.length > 0 && Date.now() < deadline) {
        await sleep(100);
        left = this.taskProcesses();
      }
      if (left.length > 0) {
        killGroups(left);
        problems.push(`task processes left after shutdown: ${left.map((p) => `${p.pid} [${p.taskId}] ${p.cmdline}`).join('; ')}`);
      }
    }
    live.delete(this);
    if (problems.length > 0) {
      throw new Error(`Daemon ${this.dataDir}: ${problems.join('\n')}\n--- daemon log (tail) ---\n${this.log().slice(-4000)}`);
    }
    rmSync(this.tmpDir, { recursive: true, force: true });
  }

  /** Synchronous last resort when the test process exits with daemons still alive. */
  killNow(): void {
    if (this.running) this.child!.kill('SIGKILL');
    if (this.agentId) killGroups(this.taskProcesses());
  }
}

process.once('exit', () => {
  for (const daemon of live) daemon.killNow();
});
