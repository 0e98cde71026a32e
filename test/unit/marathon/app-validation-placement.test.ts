import { describe, expect, it } from 'vitest';
import { validateApp } from '../../../src/marathon/app-validation.js';
import { CONSTRAINT_ARITY_MESSAGE, CONSTRAINT_OPERATOR_MESSAGE } from '../../../src/marathon/validate-scheduling.js';
import { errorsAt, validApp } from './validation-helpers.js';

describe('validateApp: constraints', () => {
  it.each([
    [['hostname', 'UNIQUE']],
    [['hostname', 'UNIQUE', '']],
    [['rack', 'CLUSTER', 'r1']],
    [['rack', 'GROUP_BY']],
    [['rack', 'GROUP_BY', '3']],
    [['hostname', 'LIKE', 'srv2.*']],
    [['hostname', 'UNLIKE', 'a|b']],
    [['hostname', 'MAX_PER', '2']],
    [['@region', 'IS', 'us-east']],
  ])('accepts %j', (constraint) => {
    expect(validateApp(validApp({ constraints: [constraint] }))).toEqual([]);
  });

  it.each([
    [['hostname'], CONSTRAINT_ARITY_MESSAGE],
    [['a', 'LIKE', 'x', 'y'], CONSTRAINT_ARITY_MESSAGE],
    [['hostname', 'SPREAD'], CONSTRAINT_OPERATOR_MESSAGE],
    [['hostname', 'UNIQUE', 'x'], 'Value specified but not used'],
    [['rack', 'CLUSTER'], 'Missing value'],
    [['rack', 'IS'], 'Missing value'],
    [['rack', 'GROUP_BY', 'two'], 'Value was specified but is not a number'],
    [['hostname', 'MAX_PER'], 'Value was not specified or is not a number'],
    [['hostname', 'MAX_PER', '1.5'], 'Value was not specified or is not a number'],
    [['hostname', 'LIKE'], 'A regular expression value must be provided'],
    [['hostname', 'LIKE', '(unclosed'], "'(unclosed' is not a valid regular expression"],
    [['hostname', 1], 'Each constraint field must be a string'],
  ])('rejects %j at /constraints(1)', (constraint, message) => {
    const details = validateApp(validApp({ constraints: [['hostname', 'UNIQUE'], constraint] }));
    expect(errorsAt(details, '/constraints(1)')).toContain(message);
    expect(errorsAt(details, '/constraints(0)')).toBe('');
  });

  it('rejects a constraint that is not an array', () => {
    expect(errorsAt(validateApp(validApp({ constraints: ['hostname:UNIQUE'] })), '/constraints(0)')).toContain(
      'expected an array, got string',
    );
  });
});

describe('validateApp: upgrade and unreachable strategies', () => {
  it('accepts values inside [0, 1] and disabled unreachable handling', () => {
    const app = validApp({
      upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 1 },
      unreachableStrategy: 'disabled',
    });
    expect(validateApp(app)).toEqual([]);
    expect(validateApp(validApp({ unreachableStrategy: { inactiveAfterSeconds: 60, expungeAfterSeconds: 120 } }))).toEqual([]);
  });

  it.each([
    [{ upgradeStrategy: { minimumHealthCapacity: 1.5 } }, '/upgradeStrategy/minimumHealthCapacity', 'is greater than 1'],
    [{ upgradeStrategy: { maximumOverCapacity: -0.1 } }, '/upgradeStrategy/maximumOverCapacity', 'is less than 0'],
    [{ upgradeStrategy: { maximumOverCapacity: '1' } }, '/upgradeStrategy/maximumOverCapacity', 'expected a number'],
    [{ unreachableStrategy: 'never' }, '/unreachableStrategy', "must be 'disabled' or an object"],
    [{ unreachableStrategy: { inactiveAfterSeconds: -1 } }, '/unreachableStrategy/inactiveAfterSeconds', 'is less than 0'],
    [
      { unreachableStrategy: { inactiveAfterSeconds: 100, expungeAfterSeconds: 10 } },
      '/unreachableStrategy',
      'inactiveAfterSeconds must be less than or equal to expungeAfterSeconds',
    ],
  ])('rejects %j', (extra, path, message) => {
    expect(errorsAt(validateApp(validApp(extra)), path)).toContain(message);
  });

  it('holds single-instance apps to one instance and a zero-overlap upgrade', () => {
    const labels = { MARATHON_SINGLE_INSTANCE_APP: 'true' };
    const ok = validApp({ labels, instances: 1, upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 0 } });
    expect(validateApp(ok)).toEqual([]);
    expect(errorsAt(validateApp(validApp({ labels, instances: 2 })), '/')).toContain(
      'Single instance app may only have one instance',
    );
    const overlapping = validApp({ labels, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } });
    expect(errorsAt(validateApp(overlapping), '/upgradeStrategy/minimumHealthCapacity')).toContain('expected 0');
  });
});

describe('validateApp: container', () => {
  const docker = (extra: Record<string, unknown> = {}, containerExtra: Record<string, unknown> = {}) =>
    validApp({ container: { type: 'DOCKER', docker: { image: 'nginx:1', ...extra }, ...containerExtra } });

  it('accepts a full docker container', () => {
    const app = docker(
      { network: 'BRIDGE', privileged: false, forcePullImage: true, parameters: [{ key: 'name', value: 'kdc' }],
        portMappings: [{ containerPort: 80, hostPort: 0, servicePort: 10019, protocol: 'tcp', name: 'http' }] },
      { volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RW' }] },
    );
    expect(validateApp(app)).toEqual([]);
  });

  it('defaults the container type to DOCKER when checking for an image', () => {
    expect(errorsAt(validateApp(validApp({ container: {} })), '/container/docker')).toContain('must be defined');
  });

  it.each([
    [validApp({ container: { type: 'APPC' } }), '/container/type', 'must be one of DOCKER, MESOS'],
    [validApp({ container: { type: 'DOCKER', docker: {} } }), '/container/docker/image', 'is required'],
    [docker({ image: '' }), '/container/docker/image', 'must not be empty'],
    [docker({ image: 3 }), '/container/docker/image', 'expected a string, got number'],
    [docker({ network: 'OVERLAY' }), '/container/docker/network', 'must be one of BRIDGE, HOST, NONE, USER'],
    [docker({ privileged: 'yes' }), '/container/docker/privileged', 'expected a boolean'],
    [docker({ parameters: [{ key: '', value: 'x' }] }), '/container/docker/parameters(0)/key', 'must not be empty'],
    [docker({ portMappings: [{ containerPort: 70000 }] }), '/container/docker/portMappings(0)/containerPort', 'is greater than 65535'],
    [docker({}, { portMappings: [{ hostPort: -1 }] }), '/container/portMappings(0)/hostPort', 'is less than 0'],
    [docker({}, { portMappings: [{ servicePort: 1.5 }] }), '/container/portMappings(0)/servicePort', 'expected an integer'],
    [docker({}, { portMappings: [{ name: 'a' }, { name: 'a' }] }), '/container/portMappings', 'Port names must be unique.'],
    [docker({}, { volumes: [{ hostPath: '/srv' }] }), '/container/volumes(0)/containerPath', 'is required'],
    [docker({}, { volumes: [{ containerPath: '/d', hostPath: '/s', mode: 'RX' }] }), '/container/volumes(0)/mode', 'must be one of RO, RW'],
    [validApp({ gpus: 1, container: { type: 'DOCKER', docker: { image: 'x' } } }), '/', 'GPU resources only work with the Mesos containerizer'],
  ])('rejects %j', (app, path, message) => {
    expect(errorsAt(validateApp(app), path)).toContain(message);
  });
});

describe('validateApp: networks', () => {
  it.each([
    [[{ mode: 'host' }]],
    [[{ mode: 'container/bridge' }]],
    [[{ mode: 'container', name: 'a' }, { name: 'b' }]],
  ])('accepts %j', (networks) => {
    expect(validateApp(validApp({ networks, portDefinitions: [] }))).toEqual([]);
  });

  it.each([
    [{ networks: [{ mode: 'overlay' }] }, '/networks(0)/mode', 'must be one of host, container, container/bridge'],
    [{ networks: [{ mode: 'host' }, { mode: 'container/bridge' }] }, '/networks', 'May specify a single host network'],
    [{ networks: [{ mode: 'host', name: 'x' }] }, '/networks', 'Host networks may not have names or labels'],
    [{ networks: [{ mode: 'container/bridge', name: 'x' }] }, '/networks', 'Bridge networks may not have names'],
    [{ networks: [{ mode: 'container/bridge' }], portDefinitions: [{ port: 0 }] }, '/', 'portDefinitions are only allowed with host-networking'],
    [
      { networks: [{ mode: 'host' }], container: { docker: { image: 'x' }, portMappings: [{ containerPort: 80 }] } },
      '/',
      'portMappings are not allowed with host-networking',
    ],
    [
      { networks: [{ mode: 'host' }], container: { docker: { image: 'x', network: 'HOST' } } },
      '/',
      'must not specify both container.docker.network and networks',
    ],
  ])('rejects %j', (extra, path, message) => {
    expect(errorsAt(validateApp(validApp(extra)), path)).toContain(message);
  });
});
