/**
 * The environment Marathon and Mesos give a task, rebuilt for a pod so that packages' commands
 * keep working: HOST is the pod's IP, MESOS_TASK_ID the pod's name, MESOS_SANDBOX the sandbox
 * emptyDir, PORT0... the fixed container ports. The app's own `env` wins, as in Marathon.
 */
import type { NormalizedApp } from '../../marathon/app-types.js';
import type { EnvVar } from './objects.js';
import { portEnvironment, type AppPort } from './ports.js';
import type { Findings } from './problems.js';
import { SANDBOX_PATH } from './volumes.js';

/** Label values above this are not exported as MARATHON_APP_LABEL_* (package definitions, options). */
export const MAX_LABEL_ENV = 4096;

/**
 * Kubernetes expands `$(NAME)` and turns `$$` into `$` in env values, command and args. Doubling
 * every `$` that precedes `$` or `(` keeps the text exactly as Marathon would pass it.
 */
export const escapeExpansion = (text: string): string => text.replace(/\$(?=[$(])/g, '$$$$');

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function podEnvironment(app: NormalizedApp, ports: AppPort[], image: string | undefined, findings: Findings): EnvVar[] {
  const env = new Map<string, EnvVar>();
  const set = (name: string, value: string) => env.set(name, { name, value: escapeExpansion(value) });
  env.set('HOST', { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
  env.set('MESOS_TASK_ID', { name: 'MESOS_TASK_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  set('MESOS_SANDBOX', SANDBOX_PATH);
  set('MARATHON_APP_ID', app.id);
  set('MARATHON_APP_RESOURCE_CPUS', String(app.cpus));
  set('MARATHON_APP_RESOURCE_MEM', String(app.mem));
  set('MARATHON_APP_RESOURCE_DISK', String(app.disk));
  set('MARATHON_APP_RESOURCE_GPUS', String(app.gpus));
  if (image) set('MARATHON_APP_DOCKER_IMAGE', image);
  const exported: string[] = [];
  const skipped: string[] = [];
  // Sorted: the order labels come in (the app's, or read back from annotations) must not matter.
  for (const [key, value] of Object.entries(app.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (Buffer.byteLength(value) > MAX_LABEL_ENV) {
      skipped.push(key);
      continue;
    }
    const name = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    exported.push(name);
    set(`MARATHON_APP_LABEL_${name}`, value);
  }
  set('MARATHON_APP_LABELS', exported.join(' '));
  if (skipped.length) findings.note(`labels over ${MAX_LABEL_ENV} bytes not exported as MARATHON_APP_LABEL_* (they stay annotations): ${skipped.join(', ')}`);
  for (const [name, value] of portEnvironment(ports)) set(name, value);
  findings.note('MARATHON_APP_VERSION, MESOS_AGENT_ENDPOINT and MESOS_FRAMEWORK_ID are not set: nothing on Kubernetes stands for them');
  for (const name of Object.keys(app.env).sort()) {
    const value = app.env[name];
    const path = `env.${name}`;
    if (!ENV_NAME.test(name)) {
      findings.refuse(path, `"${name}" is not an environment variable name Kubernetes accepts (letters, digits, "_", "-", "."; not starting with a digit)`);
      continue;
    }
    if (typeof value !== 'string') {
      const secret = typeof value === 'object' && value !== null ? (value as { secret?: unknown }).secret : undefined;
      findings.refuse(
        path,
        `refers to the secret "${String(secret)}" of the DC/OS secret store, which a Kubernetes cluster does not have: pass the value as a plain option (secrets are not translated yet)`,
      );
      continue;
    }
    env.delete(name);
    set(name, value);
  }
  return [...env.values()];
}
