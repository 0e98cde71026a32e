import { describe, expect, it } from 'vitest';
import { validateApp } from '../../../src/marathon/app-validation.js';
import { residentUpdateIssues } from '../../../src/marathon/validate-container.js';
import { errorsAt, pathsOf, validApp } from './validation-helpers.js';

const persistent = (volume: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  validApp({ container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 64 }, ...volume }] }, ...extra });

describe('persistent volume validation', () => {
  it('accepts a single-directory, read-write volume with a size', () => {
    expect(validateApp(persistent({}))).toEqual([]);
  });

  it.each([
    [{ containerPath: '/data' }, '/container/volumes(0)/containerPath', 'must not contain "/"'],
    [{ containerPath: 'var/data' }, '/container/volumes(0)/containerPath', 'must not contain "/"'],
    [{ containerPath: '..' }, '/container/volumes(0)/containerPath', 'must not be "." or ".."'],
    [{ mode: 'RO' }, '/container/volumes(0)/mode', 'got RO, expected RW'],
    [{ mode: undefined }, '/container/volumes(0)/mode', 'is required'],
    [{ persistent: {} }, '/container/volumes(0)/persistent/size', 'is required'],
    [{ persistent: { size: -1 } }, '/container/volumes(0)/persistent/size', 'is less than 0'],
    [{ persistent: { size: 1.5 } }, '/container/volumes(0)/persistent/size', ''],
    [{ persistent: { size: 8, type: 'nfs' } }, '/container/volumes(0)/persistent/type', 'must be one of root, path, mount'],
    [{ hostPath: '/srv' }, '/container/volumes(0)', 'either persistent or a host volume'],
  ])('refuses %j at %s', (volume, path, message) => {
    const details = validateApp(persistent(volume));
    expect(pathsOf(details)).toContain(path);
    expect(errorsAt(details, path)).toContain(message);
  });

  it('refuses maximumOverCapacity above 0 for a resident app, and allows any minimumHealthCapacity', () => {
    const details = validateApp(persistent({}, { upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0.1 } }));
    expect(errorsAt(details, '/upgradeStrategy/maximumOverCapacity')).toContain('got 0.1, expected 0');
    expect(validateApp(persistent({}, { upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } }))).toEqual([]);
    // Without persistent volumes the rule does not apply.
    expect(validateApp(validApp({ upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0.1 } }))).toEqual([]);
  });
});

describe('resident app updates', () => {
  const app = (size: number, containerPath = 'data') => ({ container: { volumes: [{ containerPath, mode: 'RW', persistent: { size } }] } });
  it('allows an update that keeps the persistent volumes', () => {
    expect(residentUpdateIssues(app(64), { ...app(64), mem: 256 })).toEqual([]);
    expect(residentUpdateIssues({ cmd: 'a' }, { cmd: 'b' })).toEqual([]);
  });

  it.each([
    ['a new size', app(64), app(128)],
    ['another path', app(64), app(64, 'db')],
    ['volumes added', { container: { volumes: [] } }, app(64)],
    ['volumes dropped', app(64), { container: null }],
  ])('refuses %s', (_what, from, to) => {
    expect(residentUpdateIssues(from, to)).toEqual([{ path: '/', errors: ['Persistent volumes can not be changed!'] }]);
  });
});
