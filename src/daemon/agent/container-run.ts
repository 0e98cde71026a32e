/**
 * The command lines of a task's container: `run` with Marathon's and the Mesos Docker
 * containerizer's semantics, `exec` for COMMAND checks, `stop`. Pure functions: what runs them is
 * container-lifecycle.ts and the task runner.
 */
import { DcosError } from '../../core/errors.js';
import type { ContainerRuntime } from './container-runtime.js';

/** Where the sandbox appears inside the container, as under Mesos. */
export const CONTAINER_SANDBOX = '/mnt/mesos/sandbox';

/** Labels on every task container: whose agent it is (a copy of a data dir is another agent), which task. */
export const AGENT_LABEL = 'dcos.agent-id';
export const TASK_LABEL = 'dcos.task-id';

export interface ContainerPortSpec {
  /** 0 means "the same as the host port", as in Marathon. */
  containerPort: number;
  hostPort: number;
  protocol?: string;
}

/** A bind mount: a host directory at an absolute path inside the container. */
export interface ContainerMount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ContainerRunOptions {
  /** Container name, unique on the node (taskContainerName). */
  name: string;
  image: string;
  /** Shell form: `/bin/sh -c <cmd>` replaces the image's entrypoint, as Mesos does. */
  cmd?: string | null;
  /** Exec form: arguments to the image's entrypoint. */
  args?: string[] | null;
  /** The task's own environment (not the daemon's: a host PATH would break the image). */
  env: Record<string, string>;
  sandbox: string;
  /** `--pull=always` (Marathon's forcePullImage). */
  forcePull?: boolean;
  /** The run's own pull policy when it is not forced: `never` once the agent pulled the image itself. */
  pull?: 'missing' | 'never';
  privileged?: boolean;
  /** Extra `docker run` options, passed as `--key=value`. */
  parameters?: Array<{ key: string; value: string }>;
  /** Only used with a network other than host and none. */
  portMappings?: ContainerPortSpec[];
  /** Host address the mapped ports are published on (all addresses when absent). */
  publishAddress?: string;
  /** `host`, `bridge`, `none`, or the name of a container network. */
  network: string;
  /** `uid:gid` the container's processes run as (the app's `user`, resolved on the node). */
  user?: string;
  /** Persistent and hostPath volumes: `-v source:target[:ro]`. */
  mounts?: ContainerMount[];
  labels?: Record<string, string>;
  /** Limits the runtime can enforce: CPUs (fractional) and memory in MiB. */
  limits?: { cpus?: number; memMiB?: number };
  /** `passthrough` (Podman): the container writes to the run's own stdout and stderr files. */
  logDriver?: string;
}

/** A volume path that `-v` cannot carry (its separator) or that is not absolute. */
function checkMountPath(path: string, what: string): void {
  if (!path.startsWith('/')) throw new DcosError('ECONTAINER', `The ${what} of a container volume must be an absolute path, got "${path}"`);
  if (/[:,\n]/.test(path)) throw new DcosError('ECONTAINER', `The ${what} of a container volume cannot contain ":", "," or a newline: "${path}"`);
}

/** The foreground `run` invocation of a task container. */
export function containerCommand(runtime: Pick<ContainerRuntime, 'bin'>, opts: ContainerRunOptions): { bin: string; args: string[] } {
  const args = ['run', '--rm', '--name', opts.name];
  for (const [key, value] of Object.entries(opts.labels ?? {})) args.push('--label', `${key}=${value}`);
  args.push('--network', opts.network);
  for (const [key, value] of Object.entries(opts.env)) {
    if (key === 'MESOS_SANDBOX') continue; // the host path means nothing inside
    args.push('-e', `${key}=${value}`);
  }
  args.push('-v', `${opts.sandbox}:${CONTAINER_SANDBOX}`, '-w', CONTAINER_SANDBOX, '-e', `MESOS_SANDBOX=${CONTAINER_SANDBOX}`);
  for (const mount of opts.mounts ?? []) {
    checkMountPath(mount.source, 'host path');
    checkMountPath(mount.target, 'container path');
    args.push('-v', `${mount.source}:${mount.target}${mount.readOnly ? ':ro' : ''}`);
  }
  if (opts.network !== 'host' && opts.network !== 'none') {
    const address = opts.publishAddress ? `${opts.publishAddress}:` : '';
    for (const mapping of opts.portMappings ?? []) {
      const containerPort = mapping.containerPort || mapping.hostPort;
      for (const proto of (mapping.protocol ?? 'tcp').split(',')) {
        args.push('-p', `${address}${mapping.hostPort}:${containerPort}/${proto.trim() || 'tcp'}`);
      }
    }
  }
  if (opts.user) args.push(`--user=${opts.user}`);
  if (opts.limits?.cpus !== undefined && opts.limits.cpus > 0) args.push(`--cpus=${opts.limits.cpus}`);
  if (opts.limits?.memMiB !== undefined && opts.limits.memMiB > 0) args.push(`--memory=${Math.ceil(opts.limits.memMiB)}m`);
  if (opts.logDriver) args.push(`--log-driver=${opts.logDriver}`);
  if (opts.forcePull) args.push('--pull=always');
  else if (opts.pull) args.push(`--pull=${opts.pull}`);
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

/** Set in the environment of an exec'd check, so its processes can be found (and killed) from the host. */
export const EXEC_MARK = 'DCOS_CHECK_RUN';

/**
 * A shell command inside a running task container, as Mesos runs a container task's COMMAND
 * checks: with the image's tools and the environment the container was started with, in its
 * working directory (the sandbox). `mark` tags its processes: killing the exec's CLI does not
 * end what it started in the container (the runtime's monitor holds it), so a check that times
 * out is ended through them.
 */
export function containerExecCommand(target: ContainerExecTarget, command: string, mark?: string): { bin: string; args: string[] } {
  const user = target.user ? [`--user=${target.user}`] : [];
  const env = mark ? ['-e', `${EXEC_MARK}=${mark}`] : [];
  return { bin: target.bin, args: ['exec', ...user, ...env, target.name, '/bin/sh', '-c', command] };
}

/** Stops a task container, giving it `graceSeconds` between SIGTERM and SIGKILL. */
export function containerStopCommand(
  runtime: Pick<ContainerRuntime, 'bin'>,
  name: string,
  graceSeconds: number,
): { bin: string; args: string[] } {
  return { bin: runtime.bin, args: ['stop', '--time', String(Math.max(0, Math.ceil(graceSeconds))), name] };
}

/**
 * The reference Podman is asked to pull: a short name (`redis:7`, `apache/kafka:3.7.0`) means
 * Docker Hub, as it does for Docker and Mesos, rather than Podman's short-name search (which may
 * have no registries, or prompt). A reference whose first part is a host (a dot, a port, or
 * `localhost`) is left as it is; so is every reference for Docker, which does the same itself.
 */
export function pullReference(kind: ContainerRuntime['kind'], image: string): string {
  if (kind !== 'podman') return image;
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  if (first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')) return image;
  return slash === -1 ? `docker.io/library/${image}` : `docker.io/${image}`;
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
