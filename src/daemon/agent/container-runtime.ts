/**
 * Which container runtime this node has: Docker or Podman, each found by its own means, and what
 * it can enforce (CPU and memory limits need the cgroup controllers, which a rootless Podman on
 * cgroups v1, or a Docker without CFS quota, does not have).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export interface ContainerRuntime {
  kind: 'docker' | 'podman';
  bin: string;
  /** What the engine reported (Docker's server version, or Podman's version). */
  version: string;
}

type RuntimeKind = ContainerRuntime['kind'];

const PROBE_TIMEOUT_MS = 5000;

/**
 * How each runtime is asked for its engine's version; an answer means the engine is there (the
 * CLI alone is not enough: Docker's needs its daemon, Podman's remote setups their machine). The
 * formats are not interchangeable: Podman's info has no ServerVersion, Docker's version no
 * Version, so the probe that answers also tells which runtime a binary really is (a `docker`
 * that is Podman's docker-compatible wrapper counts as Podman).
 */
const PROBES: Record<RuntimeKind, string[][]> = {
  docker: [['info', '--format', '{{.ServerVersion}}']],
  podman: [
    ['version', '--format', '{{.Version}}'],
    ['info', '--format', '{{.Version.Version}}'],
  ],
};

/** Keyed by the inputs of detection, so a changed PATH or override is looked at afresh. */
const detected = new Map<string, Promise<ContainerRuntime | null>>();

/**
 * The container runtime of this node, or null. `DCOS_CONTAINER_RUNTIME` may name the binary to
 * use (a path, or a name looked up on PATH), or `none` to disable containers. Otherwise `docker`,
 * then `podman`, on PATH. A CLI whose engine does not answer counts as absent (a Docker client
 * without its daemon is not a runtime). The answer is cached for the life of the process.
 */
export function detectContainerRuntime(env: NodeJS.ProcessEnv = process.env): Promise<ContainerRuntime | null> {
  const override = env.DCOS_CONTAINER_RUNTIME?.trim() ?? '';
  const key = `${override}\0${env.PATH ?? ''}`;
  let answer = detected.get(key);
  if (!answer) {
    answer = detect(override, env);
    detected.set(key, answer);
  }
  return answer;
}

/** Forgets cached detections (for tests, or after the operator installed a runtime). */
export function resetContainerRuntimeCache(): void {
  detected.clear();
}

async function detect(override: string, env: NodeJS.ProcessEnv): Promise<ContainerRuntime | null> {
  if (override === 'none') return null;
  const candidates = override !== '' ? [override] : ['docker', 'podman'];
  for (const name of candidates) {
    const bin = name.includes('/') ? path.resolve(name) : findOnPath(name, env.PATH ?? '');
    if (!bin || !isExecutable(bin)) continue;
    // The kind its name says first, then the other one.
    const kinds: RuntimeKind[] = path.basename(bin).includes('podman') ? ['podman', 'docker'] : ['docker', 'podman'];
    for (const kind of kinds) {
      for (const args of PROBES[kind]) {
        const version = await probe(bin, args, env);
        if (version !== null) return { kind, bin, version };
      }
    }
  }
  return null;
}

/** One line about the runtime in use, for the daemon log. */
export function describeRuntime(runtime: ContainerRuntime | null): string {
  if (!runtime) return 'container runtime: none (neither Docker nor Podman answers; DOCKER container apps will fail)';
  return `container runtime: ${runtime.kind} ${runtime.version} (${runtime.bin})`;
}

/** Which resource limits the runtime enforces on a container, and why not where it cannot. */
export interface ContainerLimits {
  cpus: boolean;
  mem: boolean;
  /** Why a limit is not enforced (for the daemon log); empty when both are. */
  reason: string;
}

/**
 * Asks the engine once whether it can limit CPU and memory: Podman by its cgroup version, the
 * controllers it has and whether it is rootless; Docker by its CFS quota and memory limit
 * support. An engine that does not say is taken at its word as unable.
 */
export async function probeContainerLimits(runtime: ContainerRuntime, env: NodeJS.ProcessEnv = process.env): Promise<ContainerLimits> {
  const raw = await probe(runtime.bin, ['info', '--format', '{{json .}}'], env, true);
  let info: Record<string, unknown> = {};
  try {
    info = raw === null ? {} : (JSON.parse(raw) as Record<string, unknown>);
  } catch {
    info = {};
  }
  return runtime.kind === 'podman' ? podmanLimits(info) : dockerLimits(info);
}

/** From `podman info`: controllers are delegated to a rootless user only on cgroups v2. */
export function podmanLimits(info: Record<string, unknown>): ContainerLimits {
  const host = (info.host ?? {}) as { cgroupVersion?: string; cgroupControllers?: string[]; security?: { rootless?: boolean } };
  const controllers = new Set(host.cgroupControllers ?? []);
  const rootless = host.security?.rootless === true;
  if (rootless && host.cgroupVersion !== 'v2') {
    return { cpus: false, mem: false, reason: 'rootless Podman on cgroups v1 cannot set limits' };
  }
  const cpus = controllers.has('cpu');
  const mem = controllers.has('memory');
  const missing = [cpus ? '' : 'cpu', mem ? '' : 'memory'].filter(Boolean);
  return { cpus, mem, reason: missing.length ? `the cgroup controller(s) ${missing.join(', ')} are not available to Podman` : '' };
}

/** From `docker info`: CPUCfsQuota and MemoryLimit say what the engine's kernel supports. */
export function dockerLimits(info: Record<string, unknown>): ContainerLimits {
  const cpus = info.CPUCfsQuota === true;
  const mem = info.MemoryLimit === true;
  const missing = [cpus ? '' : 'CPU quota', mem ? '' : 'memory limit'].filter(Boolean);
  return { cpus, mem, reason: missing.length ? `the Docker engine reports no ${missing.join(' and no ')} support` : '' };
}

/** The daemon-log line about limits: said once, so an operator knows what `cpus` and `mem` mean. */
export function describeLimits(limits: ContainerLimits): string {
  if (limits.cpus && limits.mem) return 'container limits: cpus and mem are enforced (--cpus, --memory)';
  const enforced = [limits.cpus ? 'cpus' : '', limits.mem ? 'mem' : ''].filter(Boolean);
  const not = [limits.cpus ? '' : 'cpus', limits.mem ? '' : 'mem'].filter(Boolean);
  return `container limits: ${not.join(' and ')} NOT enforced (${limits.reason}); containers run without ${not.length > 1 ? 'those limits' : 'that limit'}${enforced.length ? `; ${enforced.join(' ')} enforced` : ''}`;
}

function findOnPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The trimmed first line of the answer (or all of it), or null if the command failed or said nothing. */
function probe(bin: string, args: string[], env: NodeJS.ProcessEnv, whole = false): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      const text = String(stdout).trim();
      const answer = whole ? text : (text.split('\n')[0]?.trim() ?? '');
      resolve(!err && answer !== '' ? answer : null);
    });
  });
}
