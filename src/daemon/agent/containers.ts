/**
 * Docker-container tasks, run through a local Docker or Podman CLI in the foreground: the CLI
 * process is the task process, so launching, logging and killing work as for plain commands.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { DcosError } from '../../core/errors.js';

export interface ContainerRuntime {
  kind: 'docker' | 'podman';
  bin: string;
  /** What the engine reported (Docker's server version, or Podman's version). */
  version: string;
}

type RuntimeKind = ContainerRuntime['kind'];

/** Where the sandbox appears inside the container, as under Mesos. */
export const CONTAINER_SANDBOX = '/mnt/mesos/sandbox';

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
 * then `podman`, on PATH. A CLI whose engine does not answer counts as absent. The answer is
 * cached for the life of the process.
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

/** The trimmed first line of the answer, or null if the command failed or said nothing. */
function probe(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', windowsHide: true }, (err, stdout) => {
      const answer = String(stdout).trim().split('\n')[0]?.trim() ?? '';
      resolve(!err && answer !== '' ? answer : null);
    });
  });
}

export interface ContainerPortSpec {
  /** 0 means "the same as the host port", as in Marathon. */
  containerPort: number;
  hostPort: number;
  protocol?: string;
}

export interface ContainerRunOptions {
  /** Container name, unique on the node (e.g. `mesos-<containerId>`). */
  name: string;
  image: string;
  /** Shell form: `/bin/sh -c <cmd>` replaces the image's entrypoint, as Mesos does. */
  cmd?: string | null;
  /** Exec form: arguments to the image's entrypoint. */
  args?: string[] | null;
  /** The task's own environment (not the daemon's: a host PATH would break the image). */
  env: Record<string, string>;
  sandbox: string;
  forcePull?: boolean;
  privileged?: boolean;
  /** Extra `docker run` options, passed as `--key=value`. */
  parameters?: Array<{ key: string; value: string }>;
  /** Only used with bridge networking. */
  portMappings?: ContainerPortSpec[];
  network: 'host' | 'bridge';
  /** `uid:gid` the container's processes run as (the app's `user`, resolved on the node). */
  user?: string;
  /** Bind mounts (volumes): `target` is absolute inside the container. */
  mounts?: Array<{ source: string; target: string; readOnly: boolean }>;
}

/** The foreground `run` invocation of a task container. */
export function containerCommand(runtime: Pick<ContainerRuntime, 'bin'>, opts: ContainerRunOptions): { bin: string; args: string[] } {
  const args = ['run', '--rm', '--name', opts.name, '--network', opts.network];
  for (const [key, value] of Object.entries(opts.env)) {
    if (key === 'MESOS_SANDBOX') continue; // the host path means nothing inside
    args.push('-e', `${key}=${value}`);
  }
  args.push('-v', `${opts.sandbox}:${CONTAINER_SANDBOX}`, '-w', CONTAINER_SANDBOX, '-e', `MESOS_SANDBOX=${CONTAINER_SANDBOX}`);
  for (const m of opts.mounts ?? []) args.push('-v', `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  if (opts.network === 'bridge') {
    for (const mapping of opts.portMappings ?? []) {
      const containerPort = mapping.containerPort || mapping.hostPort;
      for (const proto of (mapping.protocol ?? 'tcp').split(',')) {
        args.push('-p', `${mapping.hostPort}:${containerPort}/${proto.trim() || 'tcp'}`);
      }
    }
  }
  if (opts.user) args.push(`--user=${opts.user}`);
  if (opts.forcePull) args.push('--pull=always');
  if (opts.privileged) args.push('--privileged');
  for (const { key, value } of opts.parameters ?? []) {
    // One `--key=value` word: a value starting with "-" or a boolean flag cannot shift the argv.
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) throw new DcosError('ECONTAINER', `Invalid docker parameter name "${key}"`);
    args.push(`--${key}=${value}`);
  }
  if (opts.cmd != null && opts.cmd !== '') {
    args.push('--entrypoint', '/bin/sh', opts.image, '-c', opts.cmd);
  } else {
    args.push(opts.image, ...(opts.args ?? []));
  }
  return { bin: runtime.bin, args };
}

/** A task's container is named after its task, so a restarted daemon (and a check) finds it again. */
export function taskContainerName(taskId: string): string {
  return `dcos-${taskId.replace(/[^a-zA-Z0-9_.-]/g, '-')}`;
}

export interface ContainerExecTarget {
  /** The runtime's CLI. */
  bin: string;
  /** The running task container. */
  name: string;
  /** `uid:gid` to run as (the app's `user`), as the container's processes run. */
  user?: string;
}

/**
 * A shell command inside a running task container, as Mesos runs a container task's COMMAND
 * checks: with the image's tools and the environment the container was started with, in its
 * working directory (the sandbox).
 */
export function containerExecCommand(target: ContainerExecTarget, command: string): { bin: string; args: string[] } {
  const user = target.user ? [`--user=${target.user}`] : [];
  return { bin: target.bin, args: ['exec', ...user, target.name, '/bin/sh', '-c', command] };
}

/** Stops a task container, giving it `graceSeconds` between SIGTERM and SIGKILL. */
export function containerStopCommand(
  runtime: Pick<ContainerRuntime, 'bin'>,
  name: string,
  graceSeconds: number,
): { bin: string; args: string[] } {
  return { bin: runtime.bin, args: ['stop', '--time', String(Math.max(0, Math.ceil(graceSeconds))), name] };
}

/** A DOCKER container app on a node with no usable container runtime. */
export class NoContainerRuntimeError extends DcosError {
  /** Until someone installs a runtime, every task of the app fails the same way. */
  readonly permanent = true;

  constructor(readonly image: string) {
    super(
      'ENOCONTAINERRUNTIME',
      `This app needs a container runtime (container.type DOCKER, image "${image}") but neither Docker nor Podman is available on this node: install one, or run the app without a container.`,
    );
    this.name = 'NoContainerRuntimeError';
  }
}
