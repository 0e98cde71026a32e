import { describe, expect, it } from 'vitest';
import { LaunchBackoff, backoffConfigKey } from '../../../../src/daemon/engine/backoff.js';
import { T0, iso, makeApp } from './fixtures.js';

const app = makeApp({ id: 'web', backoffSeconds: 2, backoffFactor: 2, maxLaunchDelaySeconds: 10 });
const s = (seconds: number): number => T0 + seconds * 1000;

describe('LaunchBackoff: growth and cap', () => {
  it('allows launching at once when nothing failed', () => {
    const backoff = new LaunchBackoff();
    expect(backoff.launchAllowedAt(s(0), app)).toBe(s(0));
    expect(backoff.timeLeftSeconds(s(0), app)).toBe(0);
    expect(backoff.hasDelay(s(0), app)).toBe(false);
  });

  it('starts at backoffSeconds, multiplies by backoffFactor, anchored at each failure', () => {
    const backoff = new LaunchBackoff();
    backoff.onFailure(s(0), app);
    expect(backoff.launchAllowedAt(s(0), app)).toBe(s(2));
    backoff.onFailure(s(1), app);
    expect(backoff.launchAllowedAt(s(1), app)).toBe(s(1 + 4));
    backoff.onFailure(s(2), app);
    expect(backoff.launchAllowedAt(s(2), app)).toBe(s(2 + 8));
  });

  it('never exceeds maxLaunchDelaySeconds, even for the first delay', () => {
    const backoff = new LaunchBackoff();
    for (let i = 0; i < 5; i += 1) backoff.onFailure(s(i), app);
    expect(backoff.launchAllowedAt(s(4), app)).toBe(s(4 + 10));
    const capped = makeApp({ id: 'web', backoffSeconds: 30, maxLaunchDelaySeconds: 10 });
    const first = new LaunchBackoff();
    first.onFailure(s(0), capped);
    expect(first.launchAllowedAt(s(0), capped)).toBe(s(10));
  });

  it('uses the Marathon defaults (1 s, x1.15)', () => {
    const plain = makeApp({ id: 'web' });
    const backoff = new LaunchBackoff();
    backoff.onFailure(s(0), plain);
    backoff.onFailure(s(0), plain);
    expect(backoff.launchAllowedAt(s(0), plain)).toBe(s(1.15));
  });

  it('truncates time left to whole seconds and reports overdue once the delay passed', () => {
    const backoff = new LaunchBackoff();
    backoff.onFailure(s(0), app);
    expect(backoff.timeLeftSeconds(s(0.5), app)).toBe(1);
    expect(backoff.queueDelay(s(0.5), app)).toEqual({ timeLeftSeconds: 1, overdue: false });
    expect(backoff.queueDelay(s(2), app)).toEqual({ timeLeftSeconds: 0, overdue: true });
    expect(backoff.timeLeftSeconds(s(5), app)).toBe(0);
  });
});

describe('LaunchBackoff: re-anchor, expiry, reset, config change', () => {
  it('re-anchors to now on a running task without shrinking the delay', () => {
    const backoff = new LaunchBackoff();
    backoff.onFailure(s(0), app);
    backoff.onFailure(s(0), app); // 4 s
    backoff.onRunning(s(3));
    expect(backoff.launchAllowedAt(s(3), app)).toBe(s(3 + 4));
    backoff.onFailure(s(3), app);
    expect(backoff.launchAllowedAt(s(3), app)).toBe(s(3 + 8));
  });

  it('does nothing on a running task when there is no delay', () => {
    const backoff = new LaunchBackoff();
    backoff.onRunning(s(3));
    expect(backoff.launchAllowedAt(s(3), app)).toBe(s(3));
  });

  it('drops the delay only once now > anchor + maxLaunchDelaySeconds', () => {
    const backoff = new LaunchBackoff();
    backoff.onFailure(s(0), app);
    backoff.onFailure(s(0), app);
    expect(backoff.hasDelay(s(10), app)).toBe(true);
    expect(backoff.launchAllowedAt(s(10.001), app)).toBe(s(10.001));
    backoff.onFailure(s(11), app);
    expect(backoff.launchAllowedAt(s(11), app)).toBe(s(11 + 2));
  });

  it('resets to no delay', () => {
    const backoff = new LaunchBackoff();
    backoff.onFailure(s(0), app);
    backoff.reset();
    expect(backoff.launchAllowedAt(s(0), app)).toBe(s(0));
    backoff.onFailure(s(1), app);
    expect(backoff.launchAllowedAt(s(1), app)).toBe(s(3));
  });

  it('starts fresh after a config change, but keeps the delay across a scale', () => {
    const backoff = new LaunchBackoff();
    backoff.onFailure(s(0), app);
    backoff.onFailure(s(0), app);
    expect(backoff.configKey).toBe(iso(T0));
    const scaled = { ...app, instances: 5, version: iso(s(1)), versionInfo: { lastScalingAt: iso(s(1)), lastConfigChangeAt: iso(T0) } };
    expect(backoff.launchAllowedAt(s(1), scaled)).toBe(s(4));
    const changed = makeApp({ id: 'web', backoffSeconds: 2, backoffFactor: 2, maxLaunchDelaySeconds: 10 }, iso(s(2)));
    expect(backoffConfigKey(changed)).toBe(iso(s(2)));
    expect(backoff.launchAllowedAt(s(2), changed)).toBe(s(2));
    expect(backoff.configKey).toBe(iso(s(2)));
    backoff.onFailure(s(2), changed);
    expect(backoff.launchAllowedAt(s(2), changed)).toBe(s(4));
  });
});
