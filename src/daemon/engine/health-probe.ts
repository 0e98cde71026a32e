// One attempt of a Marathon-style health check against a task (HTTP(S), TCP or COMMAND).
// MESOS_* checks are run the same way here: on one machine the daemon plays both roles. A COMMAND
// check of a container task runs inside its container, as under Mesos: it needs the image's tools.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { HealthCheck } from '../../marathon/app-types.js';
import { randomUUID } from 'node:crypto';
import { containerExecCommand, EXEC_MARK, type ContainerExecTarget } from '../agent/containers.js';
import { findProcessesWithEnv } from '../agent/process-identity.js';
import { asUser, type TaskUser } from '../agent/task-user.js';

export interface ProbeTarget {
  host: string;
  /** Host ports of the task, in portDefinitions order. */
  ports: number[];
  env: Record<string, string>;
  cwd: string;
  /** COMMAND checks run as this user (the task's), when it is not the daemon's. */
  user?: TaskUser | null;
  /** The task's container: COMMAND checks run in it (the runtime's CLI runs as the daemon, with `env`). */
  container?: ContainerExecTarget | null;
}

export interface ProbeResult {
  ok: boolean;
  cause?: string;
  /** A 1xx answer to an HTTP check with `ignoreHttp1xx`: keep the previous health untouched. */
  ignored?: boolean;
}

/** Keep only the tail of a check command's stderr: the last line is all we report. */
const STDERR_TAIL_BYTES = 16 * 1024;
/** After the shell exits, how long to wait for stderr to drain before giving up on it. */
const STDERR_DRAIN_MS = 200;

export async function probeHealth(check: HealthCheck, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const protocol = check.protocol ?? 'HTTP';
  if (protocol === 'COMMAND') return probeCommand(check, target, timeoutMs);
  const port = resolvePort(check, target.ports);
  if (typeof port === 'string') return { ok: false, cause: port };
  switch (protocol) {
    case 'TCP':
    case 'MESOS_TCP':
      return probeTcp(target.host, port, timeoutMs);
    case 'HTTPS':
    case 'MESOS_HTTPS':
      return probeHttp('https', check, target.host, port, timeoutMs);
    default:
      return probeHttp('http', check, target.host, port, timeoutMs);
  }
}

/** `port` wins, else `portIndex` (normalised to 0) into the task's host ports; a string is the failure cause. */
function resolvePort(check: HealthCheck, ports: number[]): number | string {
  if (check.port !== undefined && check.port !== null) return check.port;
  const index = check.portIndex ?? 0;
  const port = ports[index];
  if (port === undefined) return `no host port at portIndex ${index} (the task has ${ports.length} port${ports.length === 1 ? '' : 's'})`;
  return port;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function timedOut(timeoutMs: number): string {
  return `timed out after ${timeoutMs / 1000}s`;
}

function connectionCause(error: NodeJS.ErrnoException, host: string, port: number): string {
  const where = hostPort(host, port);
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused to ${where}`;
    case 'ECONNRESET':
      return `connection reset by ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable`;
    default:
      return `connection to ${where} failed: ${error.message}`;
  }
}

/** Marathon's rule: 200–399 is healthy (redirects are not followed); 1xx is ignored only for HTTP with ignoreHttp1xx. */
function probeHttp(
  scheme: 'http' | 'https',
  check: HealthCheck,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  const rawPath = check.path ?? '';
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const url = `${scheme}://${hostPort(host, port)}${path}`;
  const ignore1xx = scheme === 'http' && check.ignoreHttp1xx === true;
  return new Promise((resolve) => {
    let settled = false;
    const options: https.RequestOptions = {
      host,
      port,
      path,
      method: 'GET',
      // A fresh socket per probe that is closed as soon as the status line is in.
      agent: false,
      headers: { Connection: 'close', 'User-Agent': 'marathon-health-check' },
      ...(scheme === 'https' ? { rejectUnauthorized: false } : {}),
    };
    const request = (scheme === 'https' ? https : http).request(options);
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const verdict = (status: number): ProbeResult => {
      if (status >= 200 && status <= 399) return { ok: true };
      if (status < 200 && ignore1xx) return { ok: false, ignored: true, cause: `HTTP ${status} from ${url}` };
      return { ok: false, cause: `HTTP ${status} from ${url}` };
    };
    const timer = setTimeout(() => finish({ ok: false, cause: timedOut(timeoutMs) }), timeoutMs);
    request.on('information', (info) => finish(verdict(info.statusCode)));
    request.on('response', (response) => {
      const result = verdict(response.statusCode ?? 0);
      response.destroy();
      finish(result);
    });
    request.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, cause: connectionCause(error, host, port) }));
    request.end();
  });
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, cause: timedOut(timeoutMs) }), timeoutMs);
    socket.on('connect', () => finish({ ok: true }));
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, cause: connectionCause(error, host, port) }));
  });
}

/**
 * Runs `/bin/sh -c` in the task's environment (inside its container, through the runtime's exec,
 * for a container task); its own process group so a timeout kills the whole tree (the exec).
 */
function probeCommand(check: HealthCheck, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const command = check.command?.value;
  if (!command) return Promise.resolve({ ok: false, cause: 'COMMAND health check has no command.value' });
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const mark = target.container ? randomUUID() : undefined;
    const [file, argv] = commandLine(command, target, mark);
    const child = spawn(file, argv, {
      cwd: target.cwd,
      env: target.env,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      // What the exec started inside the container is not in that group: found by its mark.
      if (mark) {
        for (const pid of findProcessesWithEnv(EXEC_MARK, mark)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
      }
    };
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      child.stderr?.destroy();
      resolve(result);
    };
    const fromExit = (): ProbeResult => {
      if (!exit) return { ok: false, cause: 'command ended without an exit status' };
      if (exit.code === 0) return { ok: true };
      if (exit.code === null) return { ok: false, cause: `command killed by ${exit.signal ?? 'a signal'}` };
      const lastLine = stderr.trimEnd().split('\n').pop()?.trim() ?? '';
      return { ok: false, cause: `command exited with ${exit.code}${lastLine ? `: ${lastLine}` : ''}` };
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(exit ? fromExit() : { ok: false, cause: timedOut(timeoutMs) });
    }, timeoutMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      killGroup();
      finish({ ok: false, cause: `command could not start: ${error.message}` });
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // A background child may keep stderr open; do not wait for it beyond a short drain.
      drainTimer = setTimeout(() => {
        killGroup();
        finish(fromExit());
      }, STDERR_DRAIN_MS);
    });
    child.on('close', () => finish(fromExit()));
  });
}

function commandLine(command: string, target: ProbeTarget, mark?: string): [string, string[]] {
  if (target.container) {
    const exec = containerExecCommand(target.container, command, mark);
    return [exec.bin, exec.args];
  }
  return target.user ? asUser(target.user, '/bin/sh', ['-c', command]) : ['/bin/sh', ['-c', command]];
}
