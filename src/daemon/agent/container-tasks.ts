/**
 * The agent's side of container tasks: the runtime found at start (and what it enforces), the
 * image made present (pulled, saying so, when it is not), the `run` command line of a task, the
 * wait until its container runs, and stopping, listing and removing containers by their labels.
 * The task runner decides when; this decides how.
 */
import { readFileSync } from 'node:fs';
import { markPermanent } from '../../core/task-failure.js';
import { LaunchError } from './launcher.js';
import {
  imagePresent,
  listAgentContainers,
  pullImage,
  removeContainer,
  runtimeReason,
  stopAndRemove,
  waitUntilRunning,
  type ContainerStatus,
} from './container-lifecycle.js';
import {
  AGENT_LABEL,
  containerCommand,
  NoContainerRuntimeError,
  pullReference,
  TASK_LABEL,
  taskContainerName,
  type ContainerMount,
  type ContainerPortSpec,
} from './container-run.js';
import {
  describeLimits,
  describeRuntime,
  detectContainerRuntime,
  probeContainerLimits,
  type ContainerLimits,
  type ContainerRuntime,
} from './container-runtime.js';

/** How long a started container may take to be running before the task fails. */
const START_TIMEOUT_MS = 120_000;

/** What a container task runs: the app's container, resolved for one task on this node. */
export interface ContainerTaskSpec {
  taskId: string;
  agentId: string;
  image: string;
  cmd?: string | null;
  args?: string[] | null;
  /** Marathon's environment of the task (never the daemon's). */
  env: Record<string, string>;
  sandbox: string;
  forcePull: boolean;
  privileged: boolean;
  parameters: Array<{ key: string; value: string }>;
  network: string;
  portMappings: ContainerPortSpec[];
  /** The node's address: mapped ports are published there only (the cluster is loopback-only). */
  publishAddress: string;
  user?: string;
  mounts: ContainerMount[];
  cpus: number;
  mem: number;
}

export interface PrepareOptions {
  stderrFile: string;
  signal: AbortSignal;
  /** Called before a pull starts, so the task can say it is pulling. */
  pulling: (image: string) => void;
}

export class ContainerAgent {
  private constructor(
    readonly runtime: ContainerRuntime | null,
    /** Asked in the background: the engine takes a while to describe its host. */
    readonly limits: Promise<ContainerLimits>,
    private readonly env: NodeJS.ProcessEnv,
    /** Privileged containers are run only when the cluster was started allowing them. */
    readonly allowPrivileged: boolean,
  ) {}

  /**
   * Finds the runtime, and says it in the daemon log; what it enforces is said once known (the
   * first container task waits for that, the daemon's start does not).
   */
  static async start(env: NodeJS.ProcessEnv, log: (m: string) => void, opts: { allowPrivileged: boolean }): Promise<ContainerAgent> {
    const runtime = await detectContainerRuntime(env);
    log(describeRuntime(runtime));
    const limits = runtime
      ? probeContainerLimits(runtime, env).then((found) => {
          log(describeLimits(found));
          return found;
        })
      : Promise.resolve({ cpus: false, mem: false, reason: 'no container runtime' });
    if (runtime && opts.allowPrivileged) log('privileged containers are allowed on this cluster');
    return new ContainerAgent(runtime, limits, env, opts.allowPrivileged);
  }

  /** For the node's description: which runtime runs containers here. */
  describe(): { kind: string; version: string; bin: string } | null {
    return this.runtime ? { kind: this.runtime.kind, version: this.runtime.version, bin: this.runtime.bin } : null;
  }

  /**
   * The `run` command line of the task, after making sure it may run and its image is here:
   * throws (a permanent LaunchError naming the image and the runtime's reason) when it cannot.
   */
  async prepare(spec: ContainerTaskSpec, opts: PrepareOptions): Promise<{ bin: string; args: string[]; name: string }> {
    const runtime = this.runtime;
    if (!runtime) throw new NoContainerRuntimeError(spec.image);
    if (spec.privileged && !this.allowPrivileged) throw new LaunchError(markPermanent(privilegedRefusal()), { permanent: true });
    let reference = spec.image;
    if (spec.forcePull || !(await imagePresent(runtime, spec.image, this.env))) {
      reference = pullReference(runtime.kind, spec.image);
      opts.pulling(spec.image);
      const pulled = await pullImage(runtime, reference, { env: this.env, stderrFile: opts.stderrFile, signal: opts.signal });
      if (opts.signal.aborted) throw new LaunchError('Killed while pulling its image');
      if (!pulled.ok) throw new LaunchError(markPermanent(`Failed to pull image "${spec.image}": ${pulled.reason}`), { permanent: true });
    }
    const name = taskContainerName(spec.taskId);
    const limits = await this.limits;
    const command = containerCommand(runtime, {
      name,
      image: reference,
      cmd: spec.cmd,
      args: spec.args,
      env: spec.env,
      sandbox: spec.sandbox,
      // Present now: the run itself never pulls behind the task's back.
      pull: 'never',
      privileged: spec.privileged,
      parameters: spec.parameters,
      network: spec.network,
      portMappings: spec.portMappings,
      publishAddress: spec.publishAddress,
      user: spec.user,
      mounts: spec.mounts,
      labels: { [AGENT_LABEL]: spec.agentId, [TASK_LABEL]: spec.taskId },
      limits: { cpus: limits.cpus ? spec.cpus : undefined, memMiB: limits.mem ? spec.mem : undefined },
      // Podman hands the container the run's own stdout and stderr (the sandbox files), so they
      // keep being written when the run's process is gone; Docker's CLI streams them.
      logDriver: runtime.kind === 'podman' ? 'passthrough' : undefined,
    });
    return { ...command, name };
  }

  /** Until the task's container runs (its status), or null once `over()` or after a long while. */
  waitRunning(name: string, over: () => boolean): Promise<ContainerStatus | null> {
    if (!this.runtime) return Promise.resolve(null);
    return waitUntilRunning(this.runtime, name, { env: this.env, over, timeoutMs: START_TIMEOUT_MS });
  }

  /** Stops and removes the container; the runtime's reason when it is still there. */
  async stop(name: string, graceSeconds: number): Promise<string | null> {
    if (!this.runtime) return null;
    return stopAndRemove(this.runtime, name, graceSeconds, this.env);
  }

  async remove(name: string): Promise<string | null> {
    if (!this.runtime) return null;
    return removeContainer(this.runtime, name, this.env);
  }

  /** This agent's containers by name, or null when there is no runtime or it does not answer. */
  async survey(agentId: string): Promise<Map<string, ContainerStatus> | null> {
    if (!this.runtime) return null;
    const list = await listAgentContainers(this.runtime, agentId, this.env);
    return list ? new Map(list.map((c) => [c.name, c])) : null;
  }

  /** Removes every container of this agent (the cluster is going down); how many were left. */
  async removeAll(agentId: string, log: (m: string) => void): Promise<number> {
    const left = await this.survey(agentId);
    if (!left) return 0;
    for (const name of left.keys()) {
      const problem = await this.remove(name);
      if (problem) log(`cannot remove container ${name}: ${problem}`);
    }
    return left.size;
  }
}

/** Why a privileged container does not run, and how to allow it. */
export function privilegedRefusal(): string {
  return 'Privileged containers (container.docker.privileged) are not allowed on this cluster: start it with "dcos cluster up --allow-privileged" (or DCOS_ALLOW_PRIVILEGED=1 in the daemon\'s environment) to allow them';
}

/** The runtime's reason for a run that exited 125 (it could not run the container), from the task's stderr. */
export function runFailureReason(stderrFile: string): string | null {
  let text = '';
  try {
    const raw = readFileSync(stderrFile, 'utf8');
    text = raw.slice(-8192);
  } catch {
    return null;
  }
  if (!/^Error/im.test(text)) return null;
  return runtimeReason(text.split('\n').filter((l) => /^Error/i.test(l.trim())).join('\n'));
}
