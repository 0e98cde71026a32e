import { describe, expect, it } from 'vitest';
import { HealthState, isHealthy, nextDelayMs } from '../../../../src/daemon/engine/health-tracker.js';
import type { HealthCheck } from '../../../../src/marathon/app-types.js';
import { T0, iso } from './fixtures.js';

const check = (extra: Partial<HealthCheck> = {}): HealthCheck => ({
  protocol: 'HTTP',
  gracePeriodSeconds: 10,
  intervalSeconds: 5,
  maxConsecutiveFailures: 3,
  ...extra,
});
const OK = { ok: true };
const BAD = { ok: false, cause: 'HTTP 500 from http://127.0.0.1:1/' };
const s = (seconds: number): number => T0 + seconds * 1000;

describe('HealthState: grace period', () => {
  it('ignores failures while never healthy and within the grace period', () => {
    const state = new HealthState(check(), 'web.1', 'web.1');
    expect(state.record(BAD, s(9.999), T0)).toBe('ignored');
    expect(state.toJSON()).toMatchObject({ consecutiveFailures: 0, lastFailure: null, alive: false });
  });

  it('counts failures from the end of the grace period on', () => {
    const state = new HealthState(check(), 'web.1', 'web.1');
    expect(state.record(BAD, s(10), T0)).toBe('failed');
    expect(state.toJSON()).toMatchObject({ consecutiveFailures: 1, lastFailure: iso(s(10)), lastFailureCause: BAD.cause });
  });

  it('counts failures inside the grace period once the task was healthy', () => {
    const state = new HealthState(check(), 'web.1', 'web.1');
    expect(state.record(OK, s(1), T0)).toBe('ok');
    expect(state.record(BAD, s(2), T0)).toBe('failed');
  });

  it('ignores failures of a task that is not running', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0 }), 'web.1', 'web.1');
    expect(state.record(BAD, s(100), null)).toBe('ignored');
  });

  it('ignores an HTTP 1xx with ignoreHttp1xx, success or not', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0 }), 'web.1', 'web.1');
    state.record(OK, s(1), T0);
    expect(state.record({ ok: false, ignored: true }, s(2), T0)).toBe('ignored');
    expect(state.toJSON()).toMatchObject({ alive: true, lastFailure: null });
  });
});

describe('HealthState: consecutive failures and kill', () => {
  it('kills on the failure after maxConsecutiveFailures counted ones, like Marathon', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0 }), 'web.1', 'web.1');
    expect(state.record(BAD, s(1), T0)).toBe('failed');
    expect(state.record(BAD, s(2), T0)).toBe('failed');
    expect(state.record(BAD, s(3), T0)).toBe('failed');
    expect(state.toJSON().consecutiveFailures).toBe(3);
    expect(state.record(BAD, s(4), T0)).toBe('kill');
    expect(state.toJSON().consecutiveFailures).toBe(4);
    expect(state.record(BAD, s(5), T0)).toBe('kill');
  });

  it('resets the count on a success', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0 }), 'web.1', 'web.1');
    state.record(BAD, s(1), T0);
    state.record(BAD, s(2), T0);
    state.record(BAD, s(3), T0);
    expect(state.record(OK, s(4), T0)).toBe('ok');
    expect(state.record(BAD, s(5), T0)).toBe('failed');
    expect(state.toJSON().consecutiveFailures).toBe(1);
  });

  it('never kills when maxConsecutiveFailures is 0', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0, maxConsecutiveFailures: 0 }), 'web.1', 'web.1');
    for (let i = 1; i <= 20; i += 1) expect(state.record(BAD, s(i), T0)).toBe('failed');
    expect(state.toJSON().consecutiveFailures).toBe(20);
  });

  it('kills after a single failure past the first when the maximum is 1', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0, maxConsecutiveFailures: 1 }), 'web.1', 'web.1');
    expect(state.record(BAD, s(1), T0)).toBe('failed');
    expect(state.record(BAD, s(2), T0)).toBe('kill');
  });

  it('defaults to 3 failures and a 300 s grace period', () => {
    const state = new HealthState({ protocol: 'TCP' }, 'web.1', 'web.1');
    expect(state.record(BAD, s(299), T0)).toBe('ignored');
    expect(state.record(BAD, s(300), T0)).toBe('failed');
    state.record(BAD, s(301), T0);
    state.record(BAD, s(302), T0);
    expect(state.record(BAD, s(303), T0)).toBe('kill');
  });
});

describe('HealthState: alive and JSON', () => {
  it('is alive iff it has a success and no failure after it', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0 }), 'web.1', 'inst.1');
    expect(state.alive).toBe(false);
    state.record(OK, s(1), T0);
    expect(state.alive).toBe(true);
    state.record(BAD, s(2), T0);
    expect(state.alive).toBe(false);
    state.record(OK, s(3), T0);
    expect(state.toJSON()).toEqual({
      alive: true,
      consecutiveFailures: 0,
      firstSuccess: iso(s(1)),
      lastSuccess: iso(s(3)),
      lastFailure: iso(s(2)),
      lastFailureCause: BAD.cause,
      instanceId: 'inst.1',
      taskId: 'web.1',
    });
  });

  it('round-trips through its JSON', () => {
    const state = new HealthState(check({ gracePeriodSeconds: 0 }), 'web.1', 'web.1');
    state.record(OK, s(1), T0);
    state.record(BAD, s(2), T0);
    state.record(BAD, s(3), T0);
    state.record(BAD, s(4), T0);
    const restored = HealthState.fromJSON(check({ gracePeriodSeconds: 0 }), state.toJSON());
    expect(restored.toJSON()).toEqual(state.toJSON());
    expect(restored.record(BAD, s(5), T0)).toBe('kill');
  });
});

describe('nextDelayMs / isHealthy', () => {
  it('waits intervalSeconds between probes (default 60)', () => {
    expect(nextDelayMs(check())).toBe(5_000);
    expect(nextDelayMs({})).toBe(60_000);
  });

  it('is healthy without checks, and with checks only when every result is alive', () => {
    const result = (alive: boolean) => ({ ...new HealthState(check(), 't', 't').toJSON(), alive });
    expect(isHealthy([], false)).toBe(true);
    expect(isHealthy([], true)).toBe(false);
    expect(isHealthy([result(true), result(true)], true)).toBe(true);
    expect(isHealthy([result(true), result(false)], true)).toBe(false);
  });
});
