import { describe, expect, it } from 'vitest';
import { normalizeApp } from '../../../src/marathon/app-defaults.js';
import type { AppDefinition } from '../../../src/marathon/app-types.js';
import { validateApp } from '../../../src/marathon/app-validation.js';

describe('normalizeApp: top-level defaults', () => {
  const normalized = normalizeApp({ id: 'web', cmd: 'serve' });

  it('fills every Marathon default', () => {
    expect(normalized).toEqual({
      id: '/web',
      cmd: 'serve',
      args: null,
      container: null,
      instances: 1,
      cpus: 1,
      mem: 128,
      disk: 0,
      gpus: 0,
      env: {},
      labels: {},
      portDefinitions: [{ port: 0, protocol: 'tcp', name: 'default' }],
      requirePorts: false,
      healthChecks: [],
      readinessChecks: [],
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
      backoffSeconds: 1,
      backoffFactor: 1.15,
      maxLaunchDelaySeconds: 300,
      constraints: [],
      fetch: [],
      dependencies: [],
      killSelection: 'YOUNGEST_FIRST',
      unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
      networks: [{ mode: 'host' }],
      executor: '',
    });
  });

  it('produces an app that still validates', () => {
    expect(validateApp(normalized)).toEqual([]);
  });

  it('keeps given values, unknown fields and nulls-as-absent', () => {
    const app = normalizeApp({ id: '/a/b/', cmd: null, args: ['x'], instances: 0, cpus: 0.5, tty: true, user: 'nobody' });
    expect(app).toMatchObject({ id: '/a/b', cmd: null, args: ['x'], instances: 0, cpus: 0.5, tty: true, user: 'nobody' });
  });

  it('does not mutate its input', () => {
    const input: AppDefinition = { id: 'x', cmd: 'y', healthChecks: [{}], uris: ['http://a'] };
    const before = structuredClone(input);
    normalizeApp(input);
    expect(input).toEqual(before);
  });

  it('resolves dependencies against the app group', () => {
    expect(normalizeApp({ id: '/prod/web', cmd: 'x', dependencies: ['db', '/other'] }).dependencies).toEqual([
      '/prod/db',
      '/other',
    ]);
  });

  it('fills partial strategies field by field and keeps "disabled"', () => {
    const app = normalizeApp({ id: 'x', cmd: 'y', upgradeStrategy: { maximumOverCapacity: 0 }, unreachableStrategy: 'disabled' });
    expect(app.upgradeStrategy).toEqual({ minimumHealthCapacity: 1, maximumOverCapacity: 0 });
    expect(app.unreachableStrategy).toBe('disabled');
  });

  it('defaults single-instance apps to a zero-overlap upgrade', () => {
    const app = normalizeApp({ id: 'x', cmd: 'y', labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' } });
    expect(app.upgradeStrategy).toEqual({ minimumHealthCapacity: 0, maximumOverCapacity: 0 });
  });
});

describe('normalizeApp: ports', () => {
  it('keeps an explicit empty portDefinitions list empty', () => {
    expect(normalizeApp({ id: 'x', cmd: 'y', portDefinitions: [] }).portDefinitions).toEqual([]);
  });

  it('turns deprecated ports into port definitions and drops ports', () => {
    const app = normalizeApp({ id: 'x', cmd: 'y', ports: [0, 8080] });
    expect(app.portDefinitions).toEqual([
      { port: 0, protocol: 'tcp' },
      { port: 8080, protocol: 'tcp' },
    ]);
    expect(app.ports).toBeUndefined();
  });

  it('fills port and protocol on given definitions', () => {
    expect(normalizeApp({ id: 'x', cmd: 'y', portDefinitions: [{ name: 'http' }] }).portDefinitions).toEqual([
      { name: 'http', port: 0, protocol: 'tcp' },
    ]);
  });

  it('lifts docker.network and docker.portMappings the way Marathon does', () => {
    const app = normalizeApp({
      id: 'reg',
      ports: [5000],
      container: { docker: { image: 'registry', network: 'BRIDGE', portMappings: [{ containerPort: 5000, hostPort: 0 }] } },
    });
    expect(app.networks).toEqual([{ mode: 'container/bridge' }]);
    expect(app.container?.type).toBe('DOCKER');
    expect(app.container?.docker).toEqual({ image: 'registry', privileged: false, forcePullImage: false, parameters: [] });
    expect(app.container?.portMappings).toEqual([{ containerPort: 5000, hostPort: 0, servicePort: 0, protocol: 'tcp' }]);
    expect(app.portDefinitions).toEqual([]);
    expect(validateApp(app)).toEqual([]);
  });
});

describe('normalizeApp: health and readiness checks', () => {
  const checks = normalizeApp({
    id: 'x',
    cmd: 'y',
    healthChecks: [{}, { protocol: 'TCP', port: 9000 }, { protocol: 'COMMAND', command: { value: 'true' } }, { path: '/ok', portIndex: 0, intervalSeconds: 5 }],
  }).healthChecks;

  it('fills an empty check with the HTTP defaults', () => {
    expect(checks[0]).toEqual({
      protocol: 'HTTP',
      path: '/',
      portIndex: 0,
      gracePeriodSeconds: 300,
      intervalSeconds: 60,
      timeoutSeconds: 20,
      maxConsecutiveFailures: 3,
      ignoreHttp1xx: false,
    });
  });

  it('leaves portIndex off when a fixed port is given, and off COMMAND checks', () => {
    expect(checks[1]).not.toHaveProperty('portIndex');
    expect(checks[1]).not.toHaveProperty('path');
    expect(checks[2]).not.toHaveProperty('portIndex');
    expect(checks[2]).toMatchObject({ command: { value: 'true' }, delaySeconds: 15 });
  });

  it('keeps given values', () => {
    expect(checks[3]).toMatchObject({ path: '/ok', portIndex: 0, intervalSeconds: 5, timeoutSeconds: 20 });
  });

  it('fills readiness check defaults', () => {
    const [check] = normalizeApp({ id: 'x', cmd: 'y', readinessChecks: [{ portName: 'http' }] }).readinessChecks;
    expect(check).toEqual({
      name: 'readinessCheck',
      protocol: 'HTTP',
      path: '/',
      portName: 'http',
      intervalSeconds: 30,
      timeoutSeconds: 10,
      httpStatusCodesForReady: [200],
      preserveLastResponse: false,
    });
  });
});

describe('normalizeApp: fetch', () => {
  it('converts uris into fetch entries and drops uris', () => {
    const app = normalizeApp({ id: 'x', cmd: 'y', uris: ['https://a/b.tgz'] });
    expect(app.fetch).toEqual([{ uri: 'https://a/b.tgz', extract: true, executable: false, cache: false }]);
    expect(app.uris).toBeUndefined();
  });

  it('fills fetch flags and keeps destPath', () => {
    const app = normalizeApp({ id: 'x', cmd: 'y', fetch: [{ uri: 'https://a', executable: true, destPath: 'bin' }] });
    expect(app.fetch).toEqual([{ uri: 'https://a', extract: true, executable: true, cache: false, destPath: 'bin' }]);
  });
});
