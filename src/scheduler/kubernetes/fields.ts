/**
 * The app's top-level fields that are not translated one by one: what Kubernetes has no meaning
 * for is refused, what it cannot honour but can do without is said in a note, Marathon's own
 * read-only fields are ignored. Nothing else is dropped silently.
 */
import type { AppDefinition, NormalizedApp } from '../../marathon/app-types.js';
import type { Findings } from './problems.js';

/** Fields the translation maps (see translate.ts and its parts). */
const TRANSLATED = new Set([
  'id', 'cmd', 'args', 'instances', 'cpus', 'mem', 'disk', 'gpus', 'env', 'labels', 'user',
  'portDefinitions', 'ports', 'requirePorts', 'healthChecks', 'readinessChecks', 'upgradeStrategy',
  'constraints', 'fetch', 'uris', 'container', 'networks', 'taskKillGracePeriodSeconds', 'ipAddress',
]);

/** What Marathon reports about an app rather than what it was asked for. */
const READ_ONLY = new Set([
  'version', 'versionInfo', 'tasksStaged', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'deployments', 'tasks',
  'lastTaskFailure', 'taskStats', 'readinessCheckResults', 'counts',
]);

const SDK_LABEL = 'DCOS_PACKAGE_FRAMEWORK_NAME';

const given = (value: unknown): boolean =>
  value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0) && value !== '';

export function checkFields(app: AppDefinition, normalized: NormalizedApp, findings: Findings): void {
  const labels = normalized.labels;
  if (labels[SDK_LABEL] !== undefined) {
    findings.refuse(
      `labels.${SDK_LABEL}`,
      `the app is the scheduler of an SDK service ("${labels[SDK_LABEL]}"), which launches its own tasks through Mesos: on Kubernetes run the service's operator instead (for example Strimzi for Kafka, K8ssandra for Cassandra)`,
    );
  }
  for (const [key, value] of Object.entries(app)) {
    if (TRANSLATED.has(key) || READ_ONLY.has(key) || value === undefined || value === null) continue;
    switch (key) {
      case 'secrets':
        for (const name of Object.keys((value as Record<string, unknown>) ?? {})) {
          findings.refuse(`secrets.${name}`, 'the DC/OS secret store has no counterpart on a Kubernetes cluster: pass the value as a plain option (secrets are not translated yet)');
        }
        break;
      case 'executor':
        if (value !== '') findings.refuse('executor', `the custom Mesos executor "${String(value)}" cannot run on Kubernetes: remove it`);
        break;
      case 'backoffSeconds':
      case 'backoffFactor':
      case 'maxLaunchDelaySeconds':
        findings.note(`${key} ${String(value)} has no equivalent: the kubelet restarts a failing container with its own back-off (CrashLoopBackOff, 10 s doubling up to 5 min)`);
        break;
      case 'dependencies':
        if (given(value)) findings.note(`dependencies ${JSON.stringify(value)} are not enforced: Kubernetes starts workloads in any order`);
        break;
      case 'acceptedResourceRoles':
        if (given(value) && JSON.stringify(value) !== '["*"]') findings.note(`acceptedResourceRoles ${JSON.stringify(value)} not used: Kubernetes has no Mesos roles (use constraints on node labels)`);
        break;
      case 'role':
        findings.note(`role ${JSON.stringify(value)} not used: Kubernetes has no Mesos roles`);
        break;
      case 'killSelection':
        findings.note(`killSelection ${String(value)} not used: the ReplicaSet chooses which pods a scale-down removes`);
        break;
      case 'unreachableStrategy':
        findings.note('unreachableStrategy not used: pods on an unreachable node are evicted after the cluster\'s default toleration (300 s)');
        break;
      case 'residency':
        findings.note('residency not used: a StatefulSet keeps each pod on its claims');
        break;
      default:
        findings.refuse(key, `${key} has no Kubernetes translation yet: remove it`);
    }
  }
  if (normalized.requirePorts) findings.note('requirePorts not needed: the ports are fixed container ports of the pod anyway');
}
