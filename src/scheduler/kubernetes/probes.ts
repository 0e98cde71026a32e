/**
 * Marathon health and readiness checks as probes. A Marathon health check both kills a task that
 * keeps failing and gates deployments on it, so it becomes a liveness AND a readiness probe, and
 * its grace period a startup probe; a readiness check only gates, so it becomes a readiness probe.
 */
import type { HealthCheck, ReadinessCheck } from '../../marathon/app-types.js';
import type { Probe } from './objects.js';
import type { AppPort } from './ports.js';
import type { Findings } from './problems.js';

export interface Probes {
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}

type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket'>;

/** Kubernetes wants at least 1 for periods, timeouts and thresholds. */
const atLeastOne = (value: number): number => Math.max(1, Math.round(value));

function checkPort(check: HealthCheck, path: string, ports: AppPort[], findings: Findings): number | undefined {
  if (typeof check.port === 'number' && check.port > 0) return check.port;
  const index = check.portIndex ?? 0;
  const port = ports.find((p) => p.index === index);
  if (!port) {
    findings.refuse(`${path}.portIndex`, `the check probes port index ${index}, but the app has ${ports.length} port${ports.length === 1 ? '' : 's'}: point it at one of them`);
    return undefined;
  }
  return port.containerPort;
}

function handlerOf(check: HealthCheck, path: string, ports: AppPort[], findings: Findings): Handler | undefined {
  const protocol = check.protocol ?? 'HTTP';
  switch (protocol) {
    case 'HTTP':
    case 'HTTPS':
    case 'MESOS_HTTP':
    case 'MESOS_HTTPS': {
      const port = checkPort(check, path, ports, findings);
      if (port === undefined) return undefined;
      if (check.ignoreHttp1xx) findings.note(`${path}.ignoreHttp1xx has no probe counterpart: the kubelet counts 200-399 as healthy and anything else as a failure`);
      return { httpGet: { path: check.path ?? '/', port, scheme: protocol.endsWith('HTTPS') ? 'HTTPS' : 'HTTP' } };
    }
    case 'TCP':
    case 'MESOS_TCP': {
      const port = checkPort(check, path, ports, findings);
      return port === undefined ? undefined : { tcpSocket: { port } };
    }
    case 'COMMAND': {
      const value = check.command?.value;
      if (typeof value !== 'string' || value === '') {
        findings.refuse(`${path}.command.value`, 'a COMMAND check needs a command');
        return undefined;
      }
      findings.note(`${path} (COMMAND) -> an exec probe in the app's container: the tools it runs must be in the image`);
      return { exec: { command: ['/bin/sh', '-c', value] } };
    }
    default:
      findings.refuse(`${path}.protocol`, `unknown health check protocol ${String(protocol)}`);
      return undefined;
  }
}

/** The first health check's probes; Kubernetes has one probe of each kind per container. */
export function healthProbes(checks: HealthCheck[], ports: AppPort[], findings: Findings): Probes {
  checks.forEach((_, i) => {
    if (i > 0) findings.refuse(`healthChecks[${i}]`, 'a container has one liveness and one readiness probe: keep one health check (a COMMAND check can test several things)');
  });
  const check = checks[0];
  if (!check) return {};
  const path = 'healthChecks[0]';
  const handler = handlerOf(check, path, ports, findings);
  if (!handler) return {};
  const period = atLeastOne(check.intervalSeconds ?? 60);
  const timeout = atLeastOne(check.timeoutSeconds ?? 20);
  const failures = check.maxConsecutiveFailures ?? 3;
  const grace = check.gracePeriodSeconds ?? 300;
  const probes: Probes = {};
  if (failures > 0) {
    if (grace > 0) {
      // Failures within the grace period do not count; after it, maxConsecutiveFailures do.
      const threshold = Math.ceil(grace / period) + failures;
      probes.startupProbe = {
        ...handler,
        ...(check.delaySeconds ? { initialDelaySeconds: check.delaySeconds } : {}),
        periodSeconds: period,
        timeoutSeconds: timeout,
        failureThreshold: threshold,
      };
      findings.note(`${path}.gracePeriodSeconds ${grace} -> a startup probe allowing ${threshold} failures ${period} s apart (the grace period, then maxConsecutiveFailures)`);
    }
    probes.livenessProbe = { ...handler, periodSeconds: period, timeoutSeconds: timeout, failureThreshold: atLeastOne(failures) };
  } else {
    findings.note(`${path}.maxConsecutiveFailures 0 (never kill) -> a readiness probe only, no liveness probe`);
  }
  // Marathon counts a task unhealthy from its first failed check on.
  probes.readinessProbe = { ...handler, periodSeconds: period, timeoutSeconds: timeout, failureThreshold: 1 };
  return probes;
}

/** The first readiness check as the readiness probe. */
export function readinessProbe(checks: ReadinessCheck[], ports: AppPort[], findings: Findings): Probe | undefined {
  checks.forEach((_, i) => {
    if (i > 0) findings.refuse(`readinessChecks[${i}]`, 'a container has one readiness probe: keep one readiness check');
  });
  const check = checks[0];
  if (!check) return undefined;
  const path = 'readinessChecks[0]';
  const portName = check.portName ?? 'http-api';
  const port = ports.find((p) => p.marathonName === portName);
  if (!port) {
    findings.refuse(`${path}.portName`, `no port is named "${portName}": name one of the app's ports so`);
    return undefined;
  }
  const codes = check.httpStatusCodesForReady ?? [200];
  if (codes.some((c) => c < 200 || c > 399) || codes.length === 0) {
    findings.note(`${path}.httpStatusCodesForReady ${JSON.stringify(codes)} approximated: the kubelet counts 200-399 as ready`);
  } else if (!(codes.length === 1 && codes[0] === 200)) {
    findings.note(`${path}.httpStatusCodesForReady ${JSON.stringify(codes)} approximated: the kubelet counts every status 200-399 as ready`);
  }
  if (check.preserveLastResponse) findings.note(`${path}.preserveLastResponse has no counterpart: probe responses are not kept`);
  return {
    httpGet: { path: check.path ?? '/', port: port.containerPort, scheme: check.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP' },
    periodSeconds: atLeastOne(check.intervalSeconds ?? 30),
    timeoutSeconds: atLeastOne(check.timeoutSeconds ?? 10),
    failureThreshold: 1,
  };
}

/** Health and readiness checks together: a readiness check, if any, owns the readiness probe. */
export function probesFor(health: HealthCheck[], readiness: ReadinessCheck[], ports: AppPort[], findings: Findings): Probes {
  const probes = healthProbes(health, ports, findings);
  const ready = readinessProbe(readiness, ports, findings);
  if (ready) {
    if (probes.readinessProbe) findings.note('readinessChecks[0] -> the readiness probe; healthChecks[0] only as liveness (one readiness probe per container)');
    probes.readinessProbe = ready;
  }
  return probes;
}
