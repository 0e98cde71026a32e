/**
 * What a task of a DOCKER container app runs, worked out from the app for one task on this node:
 * Marathon's environment, the network and port mappings (host ports from the task's ports), the
 * volumes as bind mounts (prepared by agent/task-volumes.ts), the limits. The agent
 * (agent/container-tasks.ts) turns it into a `run`.
 */
import type { ContainerMount, ContainerPortSpec } from '../agent/container-run.js';
import type { ContainerTaskSpec } from '../agent/container-tasks.js';
import type { Task } from '../types.js';
import type { StoredApp } from './app-changes.js';
import { appNetwork, hostPortSpecs } from './app-ports.js';
import type { NodeInfo } from './node-info.js';
import { marathonEnvironment } from './task-env.js';

/** The image of a DOCKER container app, or undefined for a plain process. */
export function containerImage(app: StoredApp): string | undefined {
  return app.container?.type === 'DOCKER' ? app.container.docker?.image : undefined;
}

export function containerSpec(app: StoredApp, task: Task, node: NodeInfo, user: string | undefined, mounts: ContainerMount[]): ContainerTaskSpec {
  const docker = app.container?.docker;
  const network = appNetwork(app);
  return {
    taskId: task.id,
    agentId: node.agentId,
    image: docker?.image ?? '',
    cmd: app.cmd,
    args: app.args,
    env: marathonEnvironment(app, task, node),
    sandbox: task.sandbox,
    forcePull: docker?.forcePullImage === true,
    privileged: docker?.privileged === true,
    parameters: docker?.parameters ?? [],
    network: network.mode === 'container' ? (network.name ?? 'bridge') : network.mode,
    portMappings: network.mode === 'host' ? [] : portMappings(app, task.ports),
    publishAddress: node.host,
    user,
    mounts,
    cpus: app.cpus,
    mem: app.mem,
  };
}

/** Each host port of the task with the container port behind it (0: the same number). */
function portMappings(app: StoredApp, ports: number[]): ContainerPortSpec[] {
  return hostPortSpecs(app).flatMap((spec, i) =>
    ports[i] === undefined ? [] : [{ hostPort: ports[i], containerPort: spec.containerPort || ports[i], protocol: spec.protocol }],
  );
}
