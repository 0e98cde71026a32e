import { describe, expect, it } from 'vitest';
import { validateApp } from '../../../src/marathon/app-validation.js';
import {
  COMMAND_REQUIRED_MESSAGE,
  ONE_MESOS_CHECK_MESSAGE,
  PORT_INDEX_MESSAGE,
  PORT_XOR_INDEX_MESSAGE,
} from '../../../src/marathon/validate-checks.js';
import { errorsAt, validApp } from './validation-helpers.js';

describe('validateApp: ports and portDefinitions', () => {
  it.each([
    ['ports', { ports: [0, 8080, 0] }],
    ['port definitions', { portDefinitions: [{ port: 0, name: 'http', protocol: 'udp,tcp', labels: { VIP_0: '/x:80' } }] }],
    ['equivalent ports and definitions (echoed GET output)', { ports: [80], portDefinitions: [{ port: 80, name: 'web' }] }],
    ['empty port definitions', { portDefinitions: [] }],
  ])('accepts %s', (_name, extra) => {
    expect(validateApp(validApp(extra))).toEqual([]);
  });

  it.each([
    [{ ports: [80], portDefinitions: [{ port: 81 }] }, '/', 'cannot specify both ports and port definitions'],
    [{ ports: [65536] }, '/ports(0)', 'is greater than 65535'],
    [{ ports: ['80'] }, '/ports(0)', 'expected an integer, got string'],
    [{ ports: [80, 80] }, '/ports', 'ports must be unique'],
    [{ portDefinitions: [{ port: -1 }] }, '/portDefinitions(0)/port', 'is less than 0'],
    [{ portDefinitions: [{ port: 1, name: 'a' }, { port: 2, name: 'a' }] }, '/portDefinitions', 'Port names must be unique.'],
    [{ portDefinitions: [{ port: 5 }, { port: 5 }] }, '/portDefinitions', 'Ports must be unique.'],
    [{ portDefinitions: [{ protocol: 'sctp' }] }, '/portDefinitions(0)/protocol', 'must be one of tcp, udp, udp,tcp'],
    [{ portDefinitions: [{ name: 'Bad_Name' }] }, '/portDefinitions(0)/name', 'must fully match regular expression'],
    [{ portDefinitions: {} }, '/portDefinitions', 'expected an array, got object'],
  ])('rejects %j', (extra, path, message) => {
    expect(errorsAt(validateApp(validApp(extra)), path)).toContain(message);
  });

  it('does not count random (0) ports as duplicates', () => {
    expect(validateApp(validApp({ portDefinitions: [{ port: 0 }, { port: 0 }] }))).toEqual([]);
  });
});

describe('validateApp: healthChecks', () => {
  const withPorts = (checks: unknown[], ports: unknown[] = [{ port: 0 }, { port: 0 }]) =>
    validApp({ portDefinitions: ports, healthChecks: checks });

  it.each([
    ['an HTTP check on a declared port index', withPorts([{ protocol: 'HTTP', portIndex: 1, path: '/health' }])],
    ['a TCP check with a fixed port', withPorts([{ protocol: 'TCP', port: 8080 }], [])],
    ['a check without port or portIndex on the default port', validApp({ healthChecks: [{}] })],
    ['a COMMAND check', withPorts([{ protocol: 'COMMAND', command: { value: 'true' } }], [])],
    ['a MESOS_HTTP check', withPorts([{ protocol: 'MESOS_HTTP', portIndex: 0 }])],
    ['a check addressing container port mappings', validApp({
      container: { type: 'DOCKER', docker: { image: 'x' }, portMappings: [{ containerPort: 80 }, { containerPort: 81 }] },
      networks: [{ mode: 'container/bridge' }],
      healthChecks: [{ portIndex: 1 }],
    })],
  ])('accepts %s', (_name, app) => {
    expect(validateApp(app)).toEqual([]);
  });

  it.each([
    [withPorts([{ portIndex: 2 }]), '/healthChecks(0)/portIndex', PORT_INDEX_MESSAGE],
    [withPorts([{ protocol: 'TCP' }], []), '/healthChecks(0)/portIndex', PORT_INDEX_MESSAGE],
    [withPorts([{ portIndex: 0, port: 80 }]), '/healthChecks(0)', PORT_XOR_INDEX_MESSAGE],
    [withPorts([{ protocol: 'COMMAND' }]), '/healthChecks(0)/command', COMMAND_REQUIRED_MESSAGE],
    [withPorts([{ protocol: 'COMMAND', command: { value: 3 } }]), '/healthChecks(0)/command/value', 'expected a string'],
    [withPorts([{ protocol: 'GRPC' }]), '/healthChecks(0)/protocol', 'must be one of HTTP, HTTPS, TCP, COMMAND'],
    [withPorts([{ intervalSeconds: -1 }]), '/healthChecks(0)/intervalSeconds', 'is less than 0'],
    [withPorts([{ gracePeriodSeconds: '300' }]), '/healthChecks(0)/gracePeriodSeconds', 'expected an integer, got string'],
    [withPorts([{ timeoutSeconds: -3 }]), '/healthChecks(0)/timeoutSeconds', 'is less than 0'],
    [withPorts([{ maxConsecutiveFailures: -1 }]), '/healthChecks(0)/maxConsecutiveFailures', 'is less than 0'],
    [withPorts([{ port: 70000 }]), '/healthChecks(0)/port', 'is greater than 65535'],
    [withPorts([{}, 'x']), '/healthChecks(1)', 'expected an object, got string'],
    [withPorts([{ protocol: 'MESOS_HTTP' }, { protocol: 'MESOS_TCP' }]), '/', ONE_MESOS_CHECK_MESSAGE],
  ])('rejects %j', (app, path, message) => {
    expect(errorsAt(validateApp(app), path)).toContain(message);
  });

  it('allows several COMMAND checks (older Marathon stored them)', () => {
    const cmd = { protocol: 'COMMAND', command: { value: 'true' } };
    expect(validateApp(withPorts([cmd, cmd, { protocol: 'MESOS_TCP' }]))).toEqual([]);
  });
});

describe('validateApp: readinessChecks', () => {
  const ready = (check: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    validApp({ portDefinitions: [{ port: 0, name: 'http' }], readinessChecks: [check], ...extra });

  it('accepts a check naming a declared port', () => {
    expect(validateApp(ready({ portName: 'http', intervalSeconds: 10, timeoutSeconds: 3 }))).toEqual([]);
  });

  it('accepts the default port name when no ports are declared', () => {
    expect(validateApp(validApp({ readinessChecks: [{ portName: 'default' }] }))).toEqual([]);
  });

  it.each([
    [ready({ portName: 'admin' }), '/readinessChecks(0)/portName', 'No port definition reference for portName admin'],
    [ready({}), '/readinessChecks(0)/portName', 'No port definition reference for portName http-api'],
    [ready({ portName: 'http', timeoutSeconds: 30 }), '/readinessChecks(0)/timeoutSeconds', 'expected less than 30'],
    [ready({ portName: 'http', protocol: 'TCP' }), '/readinessChecks(0)/protocol', 'must be one of HTTP, HTTPS'],
    [ready({ portName: 'http', httpStatusCodesForReady: [99] }), '/readinessChecks(0)/httpStatusCodesForReady(0)', 'is less than 100'],
    [
      validApp({ portDefinitions: [{ name: 'http' }], readinessChecks: [{ portName: 'http' }, { portName: 'http' }] }),
      '/readinessChecks',
      'expected 1 or less',
    ],
  ])('rejects %j', (app, path, message) => {
    expect(errorsAt(validateApp(app), path)).toContain(message);
  });
});
