import { describe, expect, it } from 'vitest';
import { planScale, type ScaleInput } from '../../../../src/daemon/engine/rolling-restart.js';
import type { Task } from '../../../../src/daemon/types.js';
import { T0, iso, makeTask } from './fixtures.js';

const V1 = iso(T0);
const V2 = iso(T0 + 60_000);
const at = (seconds: number): string => iso(T0 + seconds * 1000);
const alive = { alive: true, consecutiveFailures: 0, firstSuccess: V2, lastSuccess: V2, lastFailure: null, lastFailureCause: null };

function running(id: string, seconds: number, version = V1): Task {
  return makeTask({ id, version, stagedAt: at(seconds), startedAt: at(seconds + 1) });
}

const base = (tasks: Task[], extra: Partial<ScaleInput> = {}): ScaleInput => ({
  scaleTo: 3,
  killSelection: 'YOUNGEST_FIRST',
  version: V2,
  tasks,
  queued: 0,
  hasHealthChecks: false,
  ...extra,
});

describe('planScale: scaling down', () => {
  const tasks = [running('a', 0), running('b', 10), running('c', 20), running('d', 30)];

  it('kills the surplus by kill selection and waits until it is gone', () => {
    const first = planScale(base(tasks, { scaleTo: 2 }));
    expect(first).toMatchObject({ kill: ['d', 'c'], launch: 0, dropQueued: 0, done: false });
    const killing = tasks.map((task) => (first.kill.includes(task.id) ? { ...task, goal: 'decommissioned' as const, state: 'TASK_KILLING' as const } : task));
    expect(planScale(base(killing, { scaleTo: 2, state: first.state }))).toMatchObject({ kill: [], launch: 0, done: false });
    const dead = killing.map((task) => (task.state === 'TASK_KILLING' ? { ...task, state: 'TASK_KILLED' as const } : task));
    expect(planScale(base(dead, { scaleTo: 2, state: first.state }))).toMatchObject({ kill: [], launch: 0, done: true });
  });

  it('OLDEST_FIRST kills the oldest', () => {
    expect(planScale(base(tasks, { scaleTo: 3, killSelection: 'OLDEST_FIRST' })).kill).toEqual(['a']);
  });

  it('kills sentenced tasks even beyond the surplus, then replaces them', () => {
    const first = planScale(base(tasks, { scaleTo: 3, sentenced: ['a', 'b'] }));
    expect(first.kill).toEqual(['a', 'b']);
    const after = tasks.filter((task) => !first.kill.includes(task.id));
    const second = planScale(base(after, { scaleTo: 3, state: first.state }));
    expect(second).toMatchObject({ launch: 1, done: false });
  });

  it('drops queued instances before killing running ones', () => {
    const first = planScale(base(tasks.slice(0, 2), { scaleTo: 2, queued: 3 }));
    expect(first).toMatchObject({ kill: [], dropQueued: 3, launch: 0, done: true });
    const partly = planScale(base(tasks.slice(0, 2), { scaleTo: 1, queued: 1 }));
    expect(partly).toMatchObject({ kill: ['b'], dropQueued: 1 });
  });
});

describe('planScale: scaling up', () => {
  it('launches the missing instances and waits until they run (no health checks)', () => {
    const old = [running('a', 0)];
    const first = planScale(base(old));
    expect(first).toMatchObject({ kill: [], launch: 2, done: false });
    const staging = [...old, makeTask({ id: 'n1', version: V2, state: 'TASK_STAGING', startedAt: null }), makeTask({ id: 'n2', version: V2, state: 'TASK_STAGING', startedAt: null })];
    const second = planScale(base(staging, { state: first.state }));
    expect(second).toMatchObject({ launch: 0, done: false });
    const oneUp = staging.map((task) => (task.id === 'n1' ? { ...task, state: 'TASK_RUNNING' as const } : task));
    const third = planScale(base(oneUp, { state: second.state }));
    expect(third.done).toBe(false);
    const allUp = oneUp.map((task) => ({ ...task, state: 'TASK_RUNNING' as const }));
    expect(planScale(base(allUp, { state: third.state })).done).toBe(true);
  });

  it('with health checks waits for healthy tasks, and with readiness for ready ones', () => {
    const first = planScale(base([], { scaleTo: 1, hasHealthChecks: true, ready: new Set() }));
    expect(first.launch).toBe(1);
    const unchecked = makeTask({ id: 'n1', version: V2 });
    expect(planScale(base([unchecked], { scaleTo: 1, hasHealthChecks: true, ready: new Set(), state: first.state })).done).toBe(false);
    const healthy = { ...unchecked, healthCheckResults: [{ ...alive, instanceId: 'n1', taskId: 'n1' }] };
    const second = planScale(base([healthy], { scaleTo: 1, hasHealthChecks: true, ready: new Set(), state: first.state }));
    expect(second.done).toBe(false);
    expect(planScale(base([healthy], { scaleTo: 1, hasHealthChecks: true, ready: new Set(['n1']), state: second.state })).done).toBe(true);
  });

  it('forgets a new task that died; its replacement has to become healthy', () => {
    const first = planScale(base([], { scaleTo: 1 }));
    const up = planScale(base([makeTask({ id: 'n1', version: V2 })], { scaleTo: 1, state: first.state }));
    expect(up.done).toBe(true);
    const again = planScale(base([], { scaleTo: 1 }));
    const died = planScale(base([makeTask({ id: 'n1', version: V2, state: 'TASK_FAILED' })], { scaleTo: 1, state: again.state }));
    expect(died).toMatchObject({ launch: 0, done: false });
    const replaced = planScale(base([makeTask({ id: 'n2', version: V2 })], { scaleTo: 1, state: died.state }));
    expect(replaced.done).toBe(true);
  });

  it('is done at once when nothing is missing', () => {
    expect(planScale(base([running('a', 0), running('b', 1), running('c', 2)]))).toMatchObject({ kill: [], launch: 0, done: true });
  });

  it('counts queued instances as launched', () => {
    expect(planScale(base([running('a', 0)], { queued: 1 }))).toMatchObject({ launch: 1, dropQueued: 0 });
  });
});
