/** Health checks -> liveness, readiness and startup probes; readiness checks -> readiness only. */
import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../../../src/marathon/app-types.js';
import { app, mainContainer, refusal, translate } from './helpers.js';

const TWO_PORTS = [{ port: 0, name: 'http' }, { port: 8443, name: 'https' }];

function probes(check: HealthCheck) {
  const t = translate(app({ portDefinitions: TWO_PORTS, healthChecks: [check] }));
  const c = mainContainer(t);
  return { startup: c.startupProbe, liveness: c.livenessProbe, readiness: c.readinessProbe, notes: t.notes };
}

describe('health checks', () => {
  it('HTTP -> httpGet on the container port of portIndex, as liveness and readiness; the grace period as a startup probe', () => {
    const p = probes({ protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 120, intervalSeconds: 10, timeoutSeconds: 5, maxConsecutiveFailures: 4 });
    const httpGet = { path: '/health', port: 10000, scheme: 'HTTP' };
    expect(p.liveness).toEqual({ httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 4 });
    expect(p.readiness).toEqual({ httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 1 });
    // 120 s of grace at 10 s, then the 4 failures that kill.
    expect(p.startup).toEqual({ httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 16 });
    expect(p.notes).toContain('healthChecks[0].gracePeriodSeconds 120 -> a startup probe allowing 16 failures 10 s apart (the grace period, then maxConsecutiveFailures)');
  });

  it('HTTPS and MESOS_HTTPS -> scheme HTTPS; MESOS_HTTP -> HTTP; a fixed port is probed as given', () => {
    expect(probes({ protocol: 'HTTPS', portIndex: 1 }).liveness?.httpGet).toEqual({ path: '/', port: 8443, scheme: 'HTTPS' });
    expect(probes({ protocol: 'MESOS_HTTPS', portIndex: 1 }).liveness?.httpGet?.scheme).toBe('HTTPS');
    expect(probes({ protocol: 'MESOS_HTTP', port: 9000, path: '/ok' }).liveness?.httpGet).toEqual({ path: '/ok', port: 9000, scheme: 'HTTP' });
  });

  it('TCP and MESOS_TCP -> tcpSocket', () => {
    expect(probes({ protocol: 'TCP', portIndex: 1 }).liveness?.tcpSocket).toEqual({ port: 8443 });
    expect(probes({ protocol: 'MESOS_TCP' }).readiness?.tcpSocket).toEqual({ port: 10000 });
  });

  it('COMMAND -> exec through sh -c, with a note that its tools must be in the image', () => {
    const p = probes({ protocol: 'COMMAND', command: { value: 'curl -f "http://$HOST:$PORT0/"' } });
    expect(p.liveness?.exec).toEqual({ command: ['/bin/sh', '-c', 'curl -f "http://$HOST:$PORT0/"'] });
    expect(p.notes).toContain("healthChecks[0] (COMMAND) -> an exec probe in the app's container: the tools it runs must be in the image");
  });

  it("takes Marathon's defaults: HTTP on port index 0, path /, 60 s interval, 20 s timeout, 3 failures, 300 s grace", () => {
    const p = probes({});
    expect(p.liveness).toEqual({ httpGet: { path: '/', port: 10000, scheme: 'HTTP' }, periodSeconds: 60, timeoutSeconds: 20, failureThreshold: 3 });
    expect(p.startup?.failureThreshold).toBe(8);
  });

  it('no grace period -> no startup probe; maxConsecutiveFailures 0 (never kill) -> readiness only', () => {
    expect(probes({ protocol: 'TCP', gracePeriodSeconds: 0 }).startup).toBeUndefined();
    const never = probes({ protocol: 'TCP', maxConsecutiveFailures: 0 });
    expect(never.liveness).toBeUndefined();
    expect(never.startup).toBeUndefined();
    expect(never.readiness?.tcpSocket).toEqual({ port: 10000 });
  });

  it('refuses a second health check and a port index the app does not have', () => {
    const err = refusal(app({ healthChecks: [{ protocol: 'TCP', portIndex: 3 }, { protocol: 'TCP' }] }));
    expect(err.details.map((d) => d.path)).toEqual(['healthChecks[1]', 'healthChecks[0].portIndex']);
  });
});

describe('readiness checks', () => {
  it('-> the readiness probe on the named port, the health check staying liveness', () => {
    const t = translate(
      app({
        portDefinitions: TWO_PORTS,
        healthChecks: [{ protocol: 'TCP' }],
        readinessChecks: [{ name: 'ready', protocol: 'HTTPS', path: '/ready', portName: 'https', intervalSeconds: 5, timeoutSeconds: 2 }],
      }),
    );
    const c = mainContainer(t);
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 8443, scheme: 'HTTPS' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 1 });
    expect(c.livenessProbe?.tcpSocket).toEqual({ port: 10000 });
  });

  it('alone gives no liveness probe', () => {
    const c = mainContainer(translate(app({ readinessChecks: [{ portName: 'http' }] })));
    expect(c.livenessProbe).toBeUndefined();
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/', port: 10000, scheme: 'HTTP' });
    expect(c.readinessProbe?.periodSeconds).toBe(30);
  });

  it('refuses a port name the app does not have', () => {
    const err = refusal(app({ readinessChecks: [{ portName: 'http-api' }] }));
    expect(err.details).toEqual([{ path: 'readinessChecks[0].portName', message: 'no port is named "http-api": name one of the app\'s ports so' }]);
  });
});
