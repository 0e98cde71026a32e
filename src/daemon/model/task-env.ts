/** The environment Marathon and Mesos give a task (marathon-api notes, section 4.3). */
import type { Task } from '../types.js';
import type { StoredApp } from './app-changes.js';
import { hostPortSpecs } from './app-ports.js';
import type { NodeInfo } from './node-info.js';

/** Daemon variables a task must not inherit (tokens, our own settings). */
const PRIVATE = /^(DCOS_|npm_|NODE_OPTIONS$|VITEST)/;

/** Only what Marathon and Mesos set, plus the app's env (which wins). */
export function marathonEnvironment(app: StoredApp, task: Task, node: NodeInfo): Record<string, string> {
  const env: Record<string, string> = {
    HOST: task.host,
    MESOS_TASK_ID: task.id,
    MESOS_SANDBOX: task.sandbox,
    MESOS_AGENT_ENDPOINT: `${node.host}:${new URL(node.url).port}`,
    MESOS_FRAMEWORK_ID: node.frameworkId,
    MARATHON_APP_ID: app.id,
    MARATHON_APP_VERSION: app.version,
    MARATHON_APP_RESOURCE_CPUS: String(app.cpus),
    MARATHON_APP_RESOURCE_MEM: String(app.mem),
    MARATHON_APP_RESOURCE_DISK: String(app.disk),
    MARATHON_APP_RESOURCE_GPUS: String(app.gpus ?? 0),
  };
  const image = app.container?.docker?.image;
  if (image) env.MARATHON_APP_DOCKER_IMAGE = image;
  const labelKeys: string[] = [];
  for (const [key, value] of Object.entries(app.labels ?? {})) {
    const name = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    labelKeys.push(name);
    env[`MARATHON_APP_LABEL_${name}`] = value;
  }
  env.MARATHON_APP_LABELS = labelKeys.join(' ');
  // Host ports, keyed also by the port asked for (a container port, for a port mapping) and name.
  const specs = hostPortSpecs(app);
  task.ports.forEach((port, i) => {
    env[`PORT${i}`] = String(port);
    const requested = specs[i]?.envKey;
    env[`PORT_${requested ? requested : port}`] = String(port);
    const name = specs[i]?.name;
    if (name) env[`PORT_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = String(port);
  });
  if (task.ports.length) {
    env.PORT = String(task.ports[0]);
    env.PORTS = task.ports.join(',');
  }
  for (const [key, value] of Object.entries(app.env ?? {})) {
    if (typeof value === 'string') env[key] = value;
  }
  // The cluster's identity, set last so no app can change it: a daemon adopts and kills only the
  // processes that carry its own (a copy of the data dir gets another one), and finds by it the
  // task processes whose pid it never stored.
  env.DCOS_AGENT_ID = node.agentId;
  return env;
}

/** The whole environment of a plain-process task: the node's environment, then Marathon's. */
export function taskEnvironment(app: StoredApp, task: Task, node: NodeInfo, daemonEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(daemonEnv)) if (value !== undefined && !PRIVATE.test(key)) env[key] = value;
  return { ...env, ...marathonEnvironment(app, task, node) };
}
