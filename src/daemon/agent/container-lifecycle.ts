/**
 * Task containers as the runtime sees them: images present or pulled, a started container
 * confirmed running, stopped and removed by name, and every container of this agent listed by its
 * label, so a restarted daemon re-adopts the live ones and removes the rest. Each call runs the
 * runtime's CLI and never throws for what the runtime answers: failures come back as values with
 * the runtime's own words.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerRuntime } from './container-runtime.js';
import { AGENT_LABEL, containerStopCommand, TASK_LABEL } from './container-run.js';
import { openSandboxLog } from './task-sandbox.js';

type Runtime = Pick<ContainerRuntime, 'bin' | 'kind'>;

/** Short calls (inspect, ps, rm): an engine that hangs must not hang the daemon with it. */
const CALL_TIMEOUT_MS = 30_000;
/** How often a started container is looked at until it runs. */
const RUNNING_POLL_MS = 25;

export interface CallResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the runtime's CLI; `code` is -1 when it could not be run or timed out. */
export function runtimeCall(runtime: Pick<ContainerRuntime, 'bin'>, args: string[], env: NodeJS.ProcessEnv, timeoutMs = CALL_TIMEOUT_MS): Promise<CallResult> {
  return new Promise((resolve) => {
    execFile(runtime.bin, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === -1 ? err.message : '') });
    });
  });
}

/** The runtime's reason in one line: its last `Error:` line (Podman, Docker), else its last line. */
export function runtimeReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = [...lines].reverse().find((l) => /^Error( response from daemon)?:/i.test(l));
  const line = error ?? lines[lines.length - 1] ?? 'no reason given';
  return line.replace(/^Error:\s*/i, '');
}

/** Whether the image is in the runtime's local storage (so a run needs no pull). */
export async function imagePresent(runtime: Runtime, image: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const args = runtime.kind === 'podman' ? ['image', 'exists', image] : ['image', 'inspect', '--format', '{{.Id}}', image];
  return (await runtimeCall(runtime, args, env)).code === 0;
}

/**
 * Pulls the image, appending the runtime's progress and errors to the task's stderr file. No time
 * limit (images can be large); `signal` (the task being killed) stops it.
 */
export function pullImage(
  runtime: Runtime,
  reference: string,
  opts: { env: NodeJS.ProcessEnv; stderrFile: string; signal: AbortSignal },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    let fd: number | undefined;
    try {
      fd = openSandboxLog(opts.stderrFile);
    } catch {
      fd = undefined;
    }
    let tail = '';
    const child = spawn(runtime.bin, ['pull', reference], { env: opts.env, stdio: ['ignore', 'ignore', 'pipe'], signal: opts.signal, killSignal: 'SIGKILL' });
    child.stderr.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-8192);
      if (fd !== undefined) {
        try {
          writeSync(fd, chunk);
        } catch {
          // a full disk loses the progress lines, not the pull
        }
      }
    });
    const done = (result: { ok: true } | { ok: false; reason: string }) => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      resolve(result);
    };
    child.on('error', (err) => done({ ok: false, reason: opts.signal.aborted ? 'the pull was stopped' : err.message }));
    child.on('close', (code) => {
      if (code === 0) done({ ok: true });
      else done({ ok: false, reason: runtimeReason(tail) });
    });
  });
}

export interface ContainerStatus {
  id: string;
  name: string;
  running: boolean;
  /** The container's first process, as the host sees it (0 when it does not run). */
  pid: number;
  /** The task the container was started for, from its label. */
  taskId: string | null;
  agentId: string | null;
  /** What the container was started with, for checks: limits, mounts, ports, network. */
  hostConfig?: Record<string, unknown>;
}

interface InspectJson {
  Id?: string;
  Name?: string;
  State?: { Running?: boolean; Pid?: number };
  Config?: { Labels?: Record<string, string> | null };
  HostConfig?: Record<string, unknown>;
}

function statusOf(json: InspectJson): ContainerStatus {
  const labels = json.Config?.Labels ?? {};
  return {
    id: json.Id ?? '',
    name: (json.Name ?? '').replace(/^\//, ''),
    running: json.State?.Running === true,
    pid: json.State?.Pid ?? 0,
    taskId: labels[TASK_LABEL] ?? null,
    agentId: labels[AGENT_LABEL] ?? null,
    hostConfig: json.HostConfig,
  };
}

/** The named containers that exist (missing ones are left out). */
export async function inspectContainers(runtime: Runtime, names: string[], env: NodeJS.ProcessEnv): Promise<ContainerStatus[]> {
  if (names.length === 0) return [];
  const out: ContainerStatus[] = [];
  // One call for all; a missing name makes it fail, so then each on its own.
  const all = await runtimeCall(runtime, ['container', 'inspect', ...names], env);
  const parse = (text: string): InspectJson[] => {
    try {
      const parsed = JSON.parse(text) as unknown;
      return Array.isArray(parsed) ? (parsed as InspectJson[]) : [];
    } catch {
      return [];
    }
  };
  if (all.code === 0 || names.length === 1) return parse(all.stdout).map(statusOf);
  for (const name of names) {
    const one = await runtimeCall(runtime, ['container', 'inspect', name], env);
    if (one.code === 0) out.push(...parse(one.stdout).map(statusOf));
  }
  return out;
}

/**
 * Every container labelled with this agent's id, running or not. Null when the runtime could not
 * be asked (then nothing may be concluded about any container).
 */
export async function listAgentContainers(runtime: Runtime, agentId: string, env: NodeJS.ProcessEnv): Promise<ContainerStatus[] | null> {
  const ps = await runtimeCall(runtime, ['ps', '-a', '--filter', `label=${AGENT_LABEL}=${agentId}`, '--format', '{{.Names}}'], env);
  if (ps.code !== 0) return null;
  const names = ps.stdout.split('\n').map((n) => n.trim()).filter(Boolean);
  return (await inspectContainers(runtime, names, env)).filter((c) => c.agentId === agentId);
}

/**
 * Waits until the container started by a `run` runs, or the run is over (`over()`, e.g. the run's
 * process exited: the container failed to start, or ran and ended already). The status, or null.
 */
export async function waitUntilRunning(
  runtime: Runtime,
  name: string,
  opts: { env: NodeJS.ProcessEnv; over: () => boolean; timeoutMs: number },
): Promise<ContainerStatus | null> {
  const deadline = Date.now() + opts.timeoutMs;
  while (!opts.over() && Date.now() < deadline) {
    const [status] = await inspectContainers(runtime, [name], opts.env);
    if (status?.running && status.pid > 0) return status;
    await sleep(RUNNING_POLL_MS);
  }
  return null;
}

/**
 * Stops the container (SIGTERM, SIGKILL after the grace period) and removes it. A container that
 * is already gone is fine. Returns the runtime's reason when the container is still there.
 */
export async function stopAndRemove(runtime: Runtime, name: string, graceSeconds: number, env: NodeJS.ProcessEnv): Promise<string | null> {
  const stop = containerStopCommand(runtime, name, graceSeconds);
  const grace = Math.max(0, Math.ceil(graceSeconds)) * 1000;
  await runtimeCall(runtime, stop.args, env, grace + CALL_TIMEOUT_MS);
  return removeContainer(runtime, name, env);
}

/** `rm -f`: kills the container if it still runs, then removes it; null once it is gone. */
export async function removeContainer(runtime: Runtime, name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const rm = await runtimeCall(runtime, ['rm', '-f', name], env);
  if (rm.code === 0) return null;
  // Gone already (removed by --rm as it stopped), or never created.
  const [left] = await inspectContainers(runtime, [name], env);
  return left ? runtimeReason(rm.stderr) : null;
}
