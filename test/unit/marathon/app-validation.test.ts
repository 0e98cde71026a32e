import { describe, expect, it } from 'vitest';
import {
  CMD_ARGS_CONTAINER_MESSAGE,
  validateApp,
  validateAppUpdate,
  VERSION_ONLY_MESSAGE,
} from '../../../src/marathon/app-validation.js';
import { errorsAt, pathsOf, validApp } from './validation-helpers.js';

describe('validateApp: document shape and id', () => {
  it('accepts the minimal app and reports nothing', () => {
    expect(validateApp(validApp())).toEqual([]);
  });

  it.each([[[]], ['x'], [null], [42]])('rejects a non-object body %j at /', (body) => {
    expect(errorsAt(validateApp(body), '/')).toMatch(/expected an object, got/);
  });

  it('requires id', () => {
    expect(errorsAt(validateApp({ cmd: 'x' }), '/id')).toContain('is required');
  });

  it('reports a non-string id as a type error', () => {
    expect(errorsAt(validateApp(validApp({ id: 5 })), '/id')).toBe('expected a string, got number');
  });

  it.each([
    ['/Upper', 'must fully match regular expression'],
    ['/a/versions', 'must not end with any of the following reserved keywords'],
    ['/', 'Path must contain at least one path element'],
  ])('rejects id %j at /id', (id, message) => {
    expect(errorsAt(validateApp(validApp({ id })), '/id')).toContain(message);
  });

  it('accepts relative ids (they normalise to absolute)', () => {
    expect(validateApp(validApp({ id: 'group/app' }))).toEqual([]);
  });

  it('accepts unknown top-level fields', () => {
    expect(validateApp(validApp({ tty: true, secrets: { s: { source: 'x' } }, somethingNew: [1] }))).toEqual([]);
  });

  it('groups messages by path, one entry per path', () => {
    const details = validateApp(validApp({ id: '/', cpus: 'a', mem: -1 }));
    const paths = pathsOf(details);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toEqual(expect.arrayContaining(['/id', '/cpus', '/mem']));
  });
});

describe('validateApp: cmd, args and container', () => {
  it.each([
    ['cmd', { cmd: 'run' }],
    ['args', { cmd: undefined, args: ['run', '-v'] }],
    ['container only', { cmd: undefined, container: { type: 'DOCKER', docker: { image: 'nginx' } } }],
    ['cmd with container', { container: { type: 'DOCKER', docker: { image: 'nginx' } } }],
    ['MESOS container with a docker image', { cmd: undefined, container: { type: 'MESOS', docker: { image: 'nginx' } } }],
  ])('accepts %s', (_name, extra) => {
    expect(validateApp(validApp(extra))).toEqual([]);
  });

  it.each([
    ['nothing to run', { cmd: undefined }],
    ['cmd and args together', { args: ['x'] }],
    ['cmd and args together, even with a container', { args: ['x'], container: { docker: { image: 'nginx' } } }],
    ['an empty args array alone', { cmd: undefined, args: [] }],
    ['a MESOS container without an image', { cmd: undefined, container: { type: 'MESOS' } }],
    ['null cmd', { cmd: null }],
  ])('rejects %s at /', (_name, extra) => {
    expect(errorsAt(validateApp(validApp(extra)), '/')).toContain(CMD_ARGS_CONTAINER_MESSAGE);
  });

  it('rejects an empty cmd at /cmd', () => {
    expect(errorsAt(validateApp(validApp({ cmd: '' })), '/cmd')).toContain('must not be an empty string');
  });

  it('rejects non-string args at their index', () => {
    const details = validateApp(validApp({ cmd: undefined, args: ['ok', 3] }));
    expect(errorsAt(details, '/args(1)')).toBe('expected a string, got number');
  });
});

describe('validateApp: numeric fields', () => {
  it('accepts fractional cpus and zero values', () => {
    expect(validateApp(validApp({ cpus: 0.1, mem: 0, disk: 0.5, instances: 0, gpus: 0, backoffFactor: 1 }))).toEqual([]);
  });

  it.each([
    ['instances', '3', 'expected an integer, got string'],
    ['instances', 1.5, 'expected an integer, got 1.5'],
    ['instances', -1, 'is less than 0'],
    ['cpus', 'one', 'expected a number, got string'],
    ['cpus', -0.5, 'is less than 0'],
    ['mem', -1, 'is less than 0'],
    ['disk', -1, 'is less than 0'],
    ['gpus', 0.5, 'expected an integer'],
    ['gpus', -1, 'is less than 0'],
    ['backoffSeconds', -1, 'is less than 0'],
    ['backoffFactor', 0.9, 'is less than 1'],
    ['maxLaunchDelaySeconds', -5, 'is less than 0'],
    ['taskKillGracePeriodSeconds', -1, 'is less than 0'],
    ['taskKillGracePeriodSeconds', true, 'expected an integer, got boolean'],
  ])('rejects %s = %j', (field, value, message) => {
    expect(errorsAt(validateApp(validApp({ [field]: value })), `/${field}`)).toContain(message);
  });

  it('treats null as absent (Marathon 1.4 output wrote nulls)', () => {
    expect(validateApp(validApp({ user: null, args: null, container: null, acceptedResourceRoles: null }))).toEqual([]);
  });
});

describe('validateApp: env and labels', () => {
  it('accepts string values and secret references', () => {
    expect(validateApp(validApp({ env: { A: 'x', lower_ok: '', PW: { secret: 'pw' } }, labels: { a: 'b' } }))).toEqual([]);
  });

  it.each([
    [{ env: { N: 5 } }, '/env/N', "expected a string or an object with a 'secret' string, got number"],
    [{ env: { S: { secret: 1 } } }, '/env/S', "expected a string or an object with a 'secret' string"],
    [{ env: { S: { secret: '' } } }, '/env/S/secret', 'must not be empty'],
    [{ env: { '': 'x' } }, '/env/', 'must not be empty'],
    [{ env: ['A=1'] }, '/env', 'expected an object, got array'],
    [{ labels: { a: 1 } }, '/labels/a', 'expected a string, got number'],
    [{ labels: 'x' }, '/labels', 'expected an object, got string'],
  ])('rejects %j', (extra, path, message) => {
    expect(errorsAt(validateApp(validApp(extra)), path)).toContain(message);
  });
});

describe('validateApp: simple enums and strings', () => {
  it('accepts both kill selections and a custom executor', () => {
    expect(validateApp(validApp({ killSelection: 'OLDEST_FIRST', executor: '//cmd' }))).toEqual([]);
    expect(validateApp(validApp({ killSelection: 'YOUNGEST_FIRST', executor: '/opt/exec' }))).toEqual([]);
  });

  it.each([
    [{ killSelection: 'RANDOM' }, '/killSelection', 'must be one of YOUNGEST_FIRST, OLDEST_FIRST'],
    [{ executor: '/a//b' }, '/executor', 'must fully match regular expression'],
    [{ user: 0 }, '/user', 'expected a string, got number'],
    [{ requirePorts: 'yes' }, '/requirePorts', 'expected a boolean, got string'],
    [{ acceptedResourceRoles: ['*', 2] }, '/acceptedResourceRoles(1)', 'expected a string'],
    [{ dependencies: ['/Bad'] }, '/dependencies(0)', 'must fully match regular expression'],
  ])('rejects %j', (extra, path, message) => {
    expect(errorsAt(validateApp(validApp(extra)), path)).toContain(message);
  });

  it('accepts relative dependencies resolved against the app group', () => {
    expect(validateApp(validApp({ id: '/prod/web', dependencies: ['db', '../other/x', '/abs'] }))).toEqual([]);
  });
});

describe('validateApp: fetch and uris', () => {
  it('accepts fetch items and uris on their own', () => {
    expect(validateApp(validApp({ fetch: [{ uri: 'https://x/a.tgz', extract: false, cache: true }] }))).toEqual([]);
    expect(validateApp(validApp({ uris: ['https://x/a.tgz'] }))).toEqual([]);
    expect(validateApp(validApp({ uris: [], fetch: [{ uri: 'https://x' }] }))).toEqual([]);
  });

  it.each([
    [{ fetch: [{ uri: 'a' }], uris: ['b'] }, '/uris', 'may not be set in conjunction with fetch'],
    [{ fetch: [{ extract: true }] }, '/fetch(0)/uri', 'is required'],
    [{ fetch: [{ uri: 7 }] }, '/fetch(0)/uri', 'expected a string, got number'],
    [{ fetch: [{ uri: 'has space' }] }, '/fetch(0)/uri', 'URI has invalid syntax.'],
    [{ fetch: [{ uri: 'a', executable: 'no' }] }, '/fetch(0)/executable', 'expected a boolean'],
    [{ fetch: ['https://x'] }, '/fetch(0)', 'expected an object, got string'],
    [{ uris: [1] }, '/uris(0)', 'expected a string, got number'],
  ])('rejects %j', (extra, path, message) => {
    expect(errorsAt(validateApp(validApp(extra)), path)).toContain(message);
  });
});

describe('validateAppUpdate', () => {
  it('accepts a rollback body with version and optional id', () => {
    expect(validateAppUpdate({ version: '2015-09-25T15:13:48.343Z' })).toEqual([]);
    expect(validateAppUpdate({ id: '/foo', version: '2015-09-25T15:13:48.343Z' })).toEqual([]);
  });

  it('rejects version combined with any other field at /', () => {
    const details = validateAppUpdate({ version: '2015-09-25T15:13:48.343Z', instances: 2 });
    expect(errorsAt(details, '/')).toContain(VERSION_ONLY_MESSAGE);
  });

  it('does not apply the version rule on create', () => {
    expect(validateApp(validApp({ version: '2015-09-25T15:13:48.343Z', instances: 2 }))).toEqual([]);
  });

  it('accepts partial bodies without id or cmd', () => {
    expect(validateAppUpdate({ instances: 3 })).toEqual([]);
    expect(validateAppUpdate({ healthChecks: [{ portIndex: 4 }] })).toEqual([]);
  });

  it('still checks the fields a partial body carries', () => {
    expect(errorsAt(validateAppUpdate({ instances: -2 }), '/instances')).toContain('is less than 0');
    expect(errorsAt(validateAppUpdate({ id: '/Bad' }), '/id')).toContain('must fully match');
  });

  it('applies the full rules when partialUpdate is false', () => {
    const details = validateAppUpdate({ instances: 3 }, { partialUpdate: false });
    expect(errorsAt(details, '/id')).toContain('is required');
    expect(errorsAt(details, '/')).toContain(CMD_ARGS_CONTAINER_MESSAGE);
  });

  it('rejects a non-object body', () => {
    expect(errorsAt(validateAppUpdate([]), '/')).toContain('expected an object, got array');
  });
});
