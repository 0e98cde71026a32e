import { describe, expect, it } from 'vitest';
import { isUpgrade } from '../../../../src/marathon/app-changes.js';
import { affectedApps, buildPlan, deploymentJson, revertTarget } from '../../../../src/daemon/engine/plan.js';
import { T0, appsOf, iso, makeApp } from './fixtures.js';

const v1 = iso(T0);
const v2 = iso(T0 + 60_000);
const web = makeApp({ id: 'web', instances: 2 }, v1);
const names = (steps: ReturnType<typeof buildPlan>) => steps.map((step) => step.actions.map(({ action, app }) => `${action} ${app}`));

describe('buildPlan', () => {
  it('creating an app: Start (0 instances), then Scale', () => {
    const steps = buildPlan(appsOf(), appsOf(web));
    expect(steps).toEqual([
      { actions: [{ action: 'StartApplication', app: '/web', scaleTo: 0 }] },
      { actions: [{ action: 'ScaleApplication', app: '/web', scaleTo: 2 }] },
    ]);
  });

  it('scaling only: one Scale step carrying the sentenced tasks', () => {
    const scaled = { ...web, instances: 1, version: v2, versionInfo: { lastScalingAt: v2, lastConfigChangeAt: v1 } };
    expect(buildPlan(appsOf(web), appsOf(scaled))).toEqual([{ actions: [{ action: 'ScaleApplication', app: '/web', scaleTo: 1 }] }]);
    const sentenced = new Map([['/web', ['web.a']]]);
    expect(buildPlan(appsOf(web), appsOf(scaled), { sentenced })).toEqual([
      { actions: [{ action: 'ScaleApplication', app: '/web', scaleTo: 1, sentenced: ['web.a'] }] },
    ]);
  });

  it('a config change: one Restart step, even when instances changed too', () => {
    const changed = makeApp({ id: 'web', instances: 3, cmd: 'serve --v2' }, v2);
    expect(names(buildPlan(appsOf(web), appsOf(changed)))).toEqual([['RestartApplication /web']]);
  });

  it('a requested restart, or a new lastConfigChangeAt alone: Restart', () => {
    expect(names(buildPlan(appsOf(web), appsOf(web), { restart: new Set(['/web']) }))).toEqual([['RestartApplication /web']]);
    const restarted = { ...web, version: v2, versionInfo: { lastScalingAt: v1, lastConfigChangeAt: v2 } };
    expect(names(buildPlan(appsOf(web), appsOf(restarted)))).toEqual([['RestartApplication /web']]);
  });

  it('a change down to 0 instances scales instead of restarting', () => {
    const stopped = makeApp({ id: 'web', instances: 0, cmd: 'other' }, v2);
    expect(buildPlan(appsOf(web), appsOf(stopped))).toEqual([{ actions: [{ action: 'ScaleApplication', app: '/web', scaleTo: 0 }] }]);
  });

  it('deleting an app: one Stop step', () => {
    expect(names(buildPlan(appsOf(web), appsOf()))).toEqual([['StopApplication /web']]);
  });

  it('no change: no steps', () => {
    expect(buildPlan(appsOf(web), appsOf(makeApp({ id: 'web', instances: 2 }, v1)))).toEqual([]);
  });

  it('ignores key order, null vs absent, and reordering of set-like fields', () => {
    const a = makeApp({ id: 'web', env: { A: '1', B: '2' }, constraints: [['hostname', 'UNIQUE'], ['rack', 'CLUSTER', 'a']] }, v1);
    const b = makeApp({ id: 'web', env: { B: '2', A: '1' }, constraints: [['rack', 'CLUSTER', 'a'], ['hostname', 'UNIQUE']], user: null }, v1);
    expect(isUpgrade(a, b)).toBe(false);
    expect(buildPlan(appsOf(a), appsOf(b))).toEqual([]);
    const reordered = makeApp({ id: 'web', portDefinitions: [{ port: 2 }, { port: 1 }] }, v1);
    expect(isUpgrade(makeApp({ id: 'web', portDefinitions: [{ port: 1 }, { port: 2 }] }, v1), reordered)).toBe(true);
  });

  it('orders changed apps by the length of their longest dependency chain', () => {
    const db = makeApp({ id: 'db' }, v1);
    const cache = makeApp({ id: 'cache' }, v1);
    const api = makeApp({ id: 'api', dependencies: ['/db', '/cache'] }, v1);
    const ui = makeApp({ id: 'ui', dependencies: ['/api'] }, v1);
    const steps = buildPlan(appsOf(), appsOf(ui, api, db, cache));
    expect(names(steps)).toEqual([
      ['StartApplication /api', 'StartApplication /cache', 'StartApplication /db', 'StartApplication /ui'],
      ['ScaleApplication /cache', 'ScaleApplication /db'],
      ['ScaleApplication /api'],
      ['ScaleApplication /ui'],
    ]);
  });

  it('counts unchanged apps in a chain, and follows group dependencies', () => {
    const db = makeApp({ id: 'back/db' }, v1);
    const queue = makeApp({ id: 'back/queue', dependencies: ['/back/db'] }, v1);
    const ui = makeApp({ id: 'ui', dependencies: ['/back'] }, v1);
    const uiChanged = makeApp({ id: 'ui', dependencies: ['/back'], cmd: 'new' }, v2);
    // Only /ui changes, but it still sits in layer 3 (ui -> queue -> db).
    expect(names(buildPlan(appsOf(db, queue, ui), appsOf(db, queue, uiChanged)))).toEqual([['RestartApplication /ui']]);
    const dbChanged = makeApp({ id: 'back/db', cmd: 'new' }, v2);
    expect(names(buildPlan(appsOf(db, queue, ui), appsOf(dbChanged, queue, uiChanged)))).toEqual([
      ['RestartApplication /back/db'],
      ['RestartApplication /ui'],
    ]);
  });

  it('survives a dependency cycle', () => {
    const a = makeApp({ id: 'a', dependencies: ['/b'] }, v1);
    const b = makeApp({ id: 'b', dependencies: ['/a'] }, v1);
    expect(buildPlan(appsOf(), appsOf(a, b)).length).toBeGreaterThan(1);
  });

  it('puts stops first, then starts, then the layers', () => {
    const old = makeApp({ id: 'old' }, v1);
    const fresh = makeApp({ id: 'fresh' }, v2);
    const changed = makeApp({ id: 'web', instances: 2, cmd: 'v2' }, v2);
    expect(names(buildPlan(appsOf(old, web), appsOf(fresh, changed)))).toEqual([
      ['StopApplication /old'],
      ['StartApplication /fresh'],
      ['ScaleApplication /fresh', 'RestartApplication /web'],
    ]);
  });
});

describe('affectedApps / deploymentJson', () => {
  const steps = buildPlan(appsOf(makeApp({ id: 'old' }, v1)), appsOf(web));

  it('lists every app an action touches', () => {
    expect(affectedApps(steps)).toEqual(['/old', '/web']);
  });

  it('renders a running deployment with 1-based currentStep and readiness results', () => {
    expect(deploymentJson({ id: 'd1', version: v2, steps, currentStep: 2 })).toEqual({
      id: 'd1',
      version: v2,
      affectedApps: ['/old', '/web'],
      affectedPods: [],
      steps: [
        { actions: [{ action: 'StopApplication', app: '/old' }] },
        { actions: [{ action: 'StartApplication', app: '/web' }] },
        { actions: [{ action: 'ScaleApplication', app: '/web' }] },
      ],
      currentActions: [{ action: 'StartApplication', app: '/web', readinessCheckResults: [] }],
      currentStep: 2,
      totalSteps: 3,
    });
  });

  it('shows currentStep 0 and no current actions before the start', () => {
    const json = deploymentJson({ id: 'd1', version: v2, steps, currentStep: 0 });
    expect(json.currentStep).toBe(0);
    expect(json.currentActions).toEqual([]);
  });

  it('passes given readiness results through', () => {
    const ready = { name: 'readinessCheck', taskId: 'web.1', ready: false };
    const json = deploymentJson({
      id: 'd1',
      version: v2,
      steps,
      currentStep: 3,
      currentActions: [{ action: 'ScaleApplication', app: '/web', scaleTo: 2, readinessCheckResults: [ready] }],
    });
    expect(json.currentActions).toEqual([{ action: 'ScaleApplication', app: '/web', readinessCheckResults: [ready] }]);
  });
});

describe('revertTarget', () => {
  const db = makeApp({ id: 'db' }, v1);
  const created = makeApp({ id: 'new' }, v2);
  const changed = makeApp({ id: 'web', instances: 2, cmd: 'v2' }, v2);
  const original = appsOf(web, db);
  const target = appsOf(changed, created);

  it('removes created apps, restores changed and deleted ones', () => {
    const reverted = revertTarget(original, target);
    expect([...reverted.keys()].sort()).toEqual(['/db', '/web']);
    expect(reverted.get('/web')).toBe(web);
    expect(reverted.get('/db')).toBe(db);
  });

  it('keeps concurrent changes to apps this deployment did not touch', () => {
    const other = makeApp({ id: 'other', cmd: 'x' }, v2);
    const otherChanged = makeApp({ id: 'other', cmd: 'y' }, iso(T0 + 120_000));
    const reverted = revertTarget(appsOf(web, other), appsOf(changed, other), appsOf(changed, otherChanged));
    expect(reverted.get('/other')).toBe(otherChanged);
    expect(reverted.get('/web')).toBe(web);
  });

  it('plans the rollback like any change', () => {
    const reverted = revertTarget(original, target);
    expect(names(buildPlan(target, reverted))).toEqual([['StopApplication /new'], ['StartApplication /db'], ['ScaleApplication /db', 'RestartApplication /web']]);
  });
});
