/** The non-interactive reporter: plain timestamped lines, or JSON lines, on stderr. */
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/ui/progress.js';
import { busySnapshot, ESC, makeCtx, TITLE } from './fixtures.js';

const at = (h: number, m: number, s: number) => new Date(2026, 0, 2, h, m, s);

describe('plain progress (not a terminal)', () => {
  it('writes one "HH:MM:SS message" line per change, in order, 24 h local time, and ignores snapshots', async () => {
    const ctx = makeCtx();
    const p = await createProgress(ctx, TITLE);
    p.onEvent({ type: 'snapshot', snapshot: busySnapshot() });
    p.onEvent({ type: 'change', at: at(3, 4, 5), message: 'deployment d1e2f3a4: step 1/2 StartApplication' });
    p.onEvent({ type: 'snapshot', snapshot: busySnapshot() });
    p.onEvent({ type: 'change', at: at(15, 7, 9), message: '1/3 running, 0/3 healthy' });
    p.onEvent({ type: 'change', at: at(23, 59, 59), message: 'task hello-world.1 TASK_RUNNING, healthy' });
    await p.close();
    expect(ctx.stderr.text).toBe(
      '03:04:05 deployment d1e2f3a4: step 1/2 StartApplication\n' +
        '15:07:09 1/3 running, 0/3 healthy\n' +
        '23:59:59 task hello-world.1 TASK_RUNNING, healthy\n',
    );
    expect(ctx.stdout.text).toBe('');
  });

  it('keeps every change on one line and strips escape codes even from messages that carry them', async () => {
    const ctx = makeCtx({ env: { NO_COLOR: '1' } });
    const p = await createProgress(ctx, TITLE);
    p.onEvent({ type: 'change', at: at(8, 0, 1), message: 'last failure: \u001b[31mboom\u001b[39m\nsecond line\r\n' });
    await p.close();
    expect(ctx.stderr.text).toBe('08:00:01 last failure: boom second line\n');
    expect(ctx.stderr.text).not.toMatch(ESC);
  });

  it('writes one parseable JSON line per change with --json', async () => {
    const ctx = makeCtx({ json: true, stdoutTTY: true });
    const p = await createProgress(ctx, TITLE);
    const first = new Date('2026-03-04T05:06:07.089Z');
    p.onEvent({ type: 'change', at: first, message: 'waiting to place 1 task(s): insufficient cpus' });
    p.onEvent({ type: 'snapshot', snapshot: busySnapshot() });
    p.onEvent({ type: 'change', at: new Date('2026-03-04T05:06:09.000Z'), message: '3/3 running, 3/3 healthy' });
    await p.close();
    const lines = ctx.stderr.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { progress: { at: '2026-03-04T05:06:07.089Z', message: 'waiting to place 1 task(s): insufficient cpus' } },
      { progress: { at: '2026-03-04T05:06:09.000Z', message: '3/3 running, 3/3 healthy' } },
    ]);
    expect(ctx.stderr.text).not.toMatch(ESC);
    expect(ctx.stdout.text).toBe('');
  });

  it('prints plain lines in CI, with TERM=dumb, and when only stdout is a terminal (stderr redirected)', async () => {
    for (const ctx of [
      makeCtx({ stdoutTTY: true, env: { CI: 'true' } }),
      makeCtx({ stdoutTTY: true, env: { TERM: 'dumb' } }),
      makeCtx({ stdoutTTY: true, stderrTTY: false }),
    ]) {
      const p = await createProgress(ctx, TITLE);
      p.onEvent({ type: 'snapshot', snapshot: busySnapshot() });
      p.onEvent({ type: 'change', at: at(1, 2, 3), message: 'step 2/2' });
      await p.close();
      expect(ctx.stderr.text).toBe('01:02:03 step 2/2\n');
    }
  });

  it('writes nothing after close', async () => {
    const ctx = makeCtx();
    const p = await createProgress(ctx, TITLE);
    p.onEvent({ type: 'change', at: at(1, 2, 3), message: 'before' });
    await p.close();
    p.onEvent({ type: 'change', at: at(1, 2, 4), message: 'after' });
    await p.close();
    expect(ctx.stderr.text).toBe('01:02:03 before\n');
  });
});
