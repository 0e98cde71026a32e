/** The ink live view, rendered into a fake terminal stream. */
import { render } from 'ink';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveView, renderLiveView, type LiveViewProps } from '../../../src/ui/live-view.js';
import { formatElapsed, shortTaskId } from '../../../src/ui/progress-format.js';
import { busySnapshot, ESC, FakeStream, makeCtx, snapshot, stripAnsi, task, TITLE } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Renders in ink's debug mode: every frame is written whole, so the last chunk is the screen. */
function mount(props: LiveViewProps, columns = 120) {
  const stdout = new FakeStream(true, columns);
  const instance = render(createElement(LiveView, props), { stdout: stdout as unknown as NodeJS.WriteStream, debug: true, patchConsole: false, exitOnCtrlC: false });
  const lastFrame = () => stdout.chunks[stdout.chunks.length - 1] ?? '';
  return { stdout, instance, lastFrame };
}

const mounted: Array<{ unmount(): void }> = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

describe('LiveView', () => {
  it('shows the title, elapsed time, step, counts, one row per task, the queue and the last failure', () => {
    const start = Date.now() - 65_000;
    const s = { ...busySnapshot(), startedAt: start };
    const { instance, lastFrame } = mount({ title: TITLE, snapshot: s, color: false, startedAt: Date.now(), now: () => start + 65_000 });
    mounted.push(instance);
    expect(lastFrame().split('\n')).toEqual([
      'Installing hello-world 1.1.0 as /hello-world (1m05s)',
      '  step 2/2: ScaleApplication',
      '  1/3 running, 0/3 healthy',
      '  hello-world.1a2b3c4d  running  127.0.0.1:10001  unhealthy: HTTP 503 from /health',
      '  hello-world.5e6f7a8b  staging  127.0.0.1:10002  checking',
      '  waiting to place 1 task(s): insufficient cpus (next try in 5s)',
      '  last failure: hello-world.0f0f0f0f: exited with status 1',
    ]);
    expect(lastFrame()).not.toMatch(ESC);
  });

  it('redraws when a new snapshot arrives', () => {
    const now = Date.now();
    const { instance, lastFrame } = mount({ title: TITLE, color: false, startedAt: now, now: () => now });
    mounted.push(instance);
    expect(lastFrame()).toContain('waiting for the first status');
    expect(lastFrame()).not.toContain('running');

    instance.rerender(createElement(LiveView, { title: TITLE, snapshot: busySnapshot(), color: false, startedAt: now, now: () => now }));
    expect(lastFrame()).toContain('1/3 running, 0/3 healthy');
    expect(lastFrame()).toContain('insufficient cpus');

    const done = snapshot({ tasks: [task(0), task(1), task(2)], startedAt: now });
    instance.rerender(createElement(LiveView, { title: TITLE, snapshot: done, color: false, startedAt: now, now: () => now }));
    const frame = lastFrame();
    expect(frame).toContain('3/3 running, 3/3 healthy');
    expect(frame).toMatch(/hello-world\.9c0d1e2f {2}running {2}127\.0\.0\.1:10003 {2}healthy/);
    expect(frame).not.toContain('step');
    expect(frame).not.toContain('waiting to place');
    expect(frame).not.toContain('unhealthy');
    expect(frame).not.toContain('last failure');
  });

  it('ticks the elapsed time by itself, and stops ticking when done', async () => {
    let clock = 1_000_000;
    const props = { title: TITLE, color: false, startedAt: 1_000_000, now: () => clock, tickMs: 20 };
    const { instance, lastFrame } = mount(props);
    mounted.push(instance);
    expect(lastFrame()).toContain('(0s)');
    clock += 42_000;
    await sleep(80);
    expect(lastFrame()).toContain('(42s)');
    instance.rerender(createElement(LiveView, { ...props, done: true }));
    clock += 60_000;
    await sleep(80);
    expect(lastFrame()).toContain('(42s)');
  });

  it('leaves the health column out for an app without health checks, and counts what is left when removing', () => {
    const now = Date.now();
    const s = snapshot({ goal: 'removed', hasHealthChecks: false, instances: 0, tasks: [task(0, { healthy: null, state: 'TASK_KILLING', ports: [] })] });
    const { instance, lastFrame } = mount({ title: 'Removing /hello-world', snapshot: s, color: false, startedAt: now, now: () => now });
    mounted.push(instance);
    expect(lastFrame().split('\n').slice(1)).toEqual(['  1 task(s) left', '  hello-world.1a2b3c4d  killing  127.0.0.1']);
  });

  it('cuts rows to the terminal width instead of wrapping them', () => {
    const now = Date.now();
    const long = snapshot({ tasks: [task(0, { healthy: false, healthCause: 'x'.repeat(200) })] });
    const { instance, lastFrame } = mount({ title: TITLE, snapshot: long, color: false, startedAt: now, now: () => now }, 80);
    mounted.push(instance);
    const lines = lastFrame().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[2]).toHaveLength(80);
    expect(lines[2]).toMatch(/unhealthy: x+…$/);
  });
});

describe('renderLiveView', () => {
  it('draws on stderr (never stdout), follows updates and leaves the final frame when stopped', async () => {
    const ctx = makeCtx({ stdoutTTY: true, env: { NO_COLOR: '1' } });
    const view = renderLiveView(ctx, TITLE);
    view.update(busySnapshot());
    await sleep(50);
    view.update(snapshot({ tasks: [task(0), task(1), task(2)], step: { current: 1, total: 1, actions: ['RestartApplication'] } }));
    await view.stop();
    await view.stop();
    view.update(busySnapshot());
    expect(ctx.stdout.text).toBe('');
    const screen = stripAnsi(ctx.stderr.text);
    const final = screen.slice(screen.lastIndexOf('Installing hello-world'));
    expect(final).toContain('step 1/1: RestartApplication');
    expect(final).toContain('3/3 running, 3/3 healthy');
    expect(final).toContain('hello-world.9c0d1e2f');
    expect(final).not.toContain('insufficient cpus');
    // NO_COLOR: cursor codes, but no colour or bold codes.
    expect(ctx.stderr.text).not.toMatch(/\u001b\[(3\d|1|2)m/);
  });
});

describe('progress formatting', () => {
  it('formats elapsed times and shortens task ids', () => {
    expect([0, 999, 59_999, 60_000, 65_000, 3_599_000, 3_600_000, 7_380_000].map(formatElapsed)).toEqual(['0s', '0s', '59s', '1m00s', '1m05s', '59m59s', '1h00m', '2h03m']);
    expect(shortTaskId('hello-world.1a2b3c4d-1111-4222-8333-444455556666')).toBe('hello-world.1a2b3c4d');
    expect(shortTaskId('group_app.instance-5e6f7a8b-1111-4222-8333-444455556666._app.1')).toBe('group_app.instance-5e6f7a8b._app.1');
    expect(shortTaskId('plain-id')).toBe('plain-id');
  });
});
