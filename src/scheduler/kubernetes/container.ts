/**
 * The app's container: its image (an app without one is refused), the command as Marathon runs
 * it in Docker (`cmd` through `/bin/sh -c` in place of the entrypoint, `args` to the entrypoint),
 * and what `docker run` options and the app's user become in a security context.
 */
import type { NormalizedApp } from '../../marathon/app-types.js';
import type { SecurityContext } from './objects.js';
import type { Findings } from './problems.js';

export const IMAGELESS_HINT = "Run it from an image: set the package's container runtime option (for the bundled packages: service.runtime=container). Nothing was applied.";

const KNOWN_CONTAINER_KEYS = new Set(['type', 'docker', 'volumes', 'portMappings']);

export function containerImage(app: NormalizedApp, findings: Findings): string | undefined {
  const container = app.container;
  const image = container?.docker?.image;
  if (typeof image === 'string' && image !== '') return image;
  const what = container?.type === 'MESOS' ? 'a Mesos container (container.type MESOS) without an image' : 'no container image';
  findings.refuse(
    'container.docker.image',
    `the app runs a plain command on the node (${what}); Kubernetes runs containers from images only: set the package's container runtime option (for the bundled packages: service.runtime=container)`,
  );
  return undefined;
}

export function checkContainer(app: NormalizedApp, findings: Findings): void {
  const container = app.container;
  if (!container) return;
  for (const key of Object.keys(container)) {
    if (!KNOWN_CONTAINER_KEYS.has(key) && container[key] !== undefined && container[key] !== null) {
      findings.refuse(`container.${key}`, `has no Kubernetes translation yet: remove it`);
    }
  }
  const docker = container.docker;
  if (!docker) return;
  if (docker.pullConfig) findings.refuse('container.docker.pullConfig', 'names a DC/OS secret; Kubernetes pulls with image pull secrets (not translated yet): use a public image or a registry the nodes can reach');
  if (docker.credential) findings.refuse('container.docker.credential', 'DC/OS container credentials have no Kubernetes counterpart: remove them');
}

function parseUser(text: string): { runAsUser: number; runAsGroup?: number } | undefined {
  if (text === 'root') return { runAsUser: 0 };
  const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] === undefined ? { runAsUser: Number(m[1]) } : { runAsUser: Number(m[1]), runAsGroup: Number(m[2]) };
}

export function securityContextOf(app: NormalizedApp, findings: Findings): SecurityContext | undefined {
  const context: SecurityContext = {};
  const docker = app.container?.docker;
  if (typeof app.user === 'string' && app.user !== '') {
    const user = parseUser(app.user);
    if (user) Object.assign(context, user);
    else findings.refuse('user', `"${app.user}" is a user name; Kubernetes runs containers as a numeric uid: give the uid (or uid:gid)`);
  }
  (docker?.parameters ?? []).forEach((parameter, i) => {
    const path = `container.docker.parameters[${i}]`;
    if (parameter.key === 'user' || parameter.key === 'u') {
      const user = parseUser(parameter.value);
      if (user) {
        delete context.runAsGroup;
        Object.assign(context, user);
      } else {
        findings.refuse(`${path}.value`, `docker user "${parameter.value}" is a name; Kubernetes runs containers as a numeric uid: give the uid (or uid:gid)`);
      }
      return;
    }
    findings.refuse(path, `the docker run option --${parameter.key} has no pod counterpart: remove it`);
  });
  if (docker?.privileged) {
    context.privileged = true;
    findings.note('container.docker.privileged -> a privileged container (the namespace\'s pod security level must allow it)');
  }
  if (context.runAsUser !== undefined) findings.note(`the container runs as uid ${context.runAsUser}${context.runAsGroup !== undefined ? `, gid ${context.runAsGroup}` : ''} (runAsUser)`);
  return Object.keys(context).length ? sortContext(context) : undefined;
}

function sortContext(context: SecurityContext): SecurityContext {
  const out: SecurityContext = {};
  if (context.privileged !== undefined) out.privileged = context.privileged;
  if (context.runAsUser !== undefined) out.runAsUser = context.runAsUser;
  if (context.runAsGroup !== undefined) out.runAsGroup = context.runAsGroup;
  return out;
}
