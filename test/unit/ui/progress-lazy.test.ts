/** ink and react are loaded only for the live view: never for plain or JSON progress. */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WatchSnapshot } from '../../../src/actions/watch-types.js';
import { busySnapshot, ESC, makeCtx, TITLE } from './fixtures.js';

const LIVE_VIEW = '../../../src/ui/live-view.js';

describe('progress.ts loads the live view lazily', () => {
  let loads = 0;
  let updates: WatchSnapshot[] = [];
  let stops = 0;
  // One mock registration per test, told whether to fail: a second doMock of the same
  // module can lose to the first when the suite runs under load.
  let failLoad = false;

  beforeEach(() => {
    vi.resetModules();
    loads = 0;
    updates = [];
    stops = 0;
    failLoad = false;
    vi.doMock(LIVE_VIEW, () => {
      loads++;
      if (failLoad) throw new Error('loaded');
      return {
        renderLiveView: () => ({
          update: (s: WatchSnapshot) => updates.push(s),
          stop: async () => {
            stops++;
          },
        }),
      };
    });
  });
  afterEach(() => {
    vi.doUnmock(LIVE_VIEW);
    vi.resetModules();
  });

  it('has no static import of ink, react or the live view (only a dynamic one)', () => {
    const source = readFileSync(new URL('../../../src/ui/progress.ts', import.meta.url), 'utf8');
    const staticImports = [...source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(staticImports.length).toBeGreaterThan(0);
    for (const spec of staticImports) expect(spec).not.toMatch(/^(ink|react)(\/|$)|live-view/);
    expect(source).toContain("await import('./live-view.js')");
    // Its own static imports are light too.
    const format = readFileSync(new URL('../../../src/ui/progress-format.ts', import.meta.url), 'utf8');
    expect(format).not.toMatch(/from '(ink|react)/);
  });

  it('never loads live-view.js for a pipe, CI or --json', async () => {
    const { createProgress } = await import('../../../src/ui/progress.js');
    for (const ctx of [makeCtx(), makeCtx({ stdoutTTY: true, env: { CI: '1' } }), makeCtx({ stdoutTTY: true, json: true })]) {
      const p = await createProgress(ctx, TITLE);
      p.onEvent({ type: 'snapshot', snapshot: busySnapshot() });
      p.onEvent({ type: 'change', at: new Date(2026, 0, 1, 12, 0, 0), message: 'hello' });
      await p.close();
      expect(ctx.stderr.text).toMatch(/^(12:00:00 hello|\{"progress":.*"message":"hello"\}})\n$/);
    }
    expect(loads).toBe(0);
    expect(updates).toEqual([]);
  });

  it('loads it in a terminal and feeds it the snapshots (not the change lines), then stops it', async () => {
    const { createProgress } = await import('../../../src/ui/progress.js');
    const ctx = makeCtx({ stdoutTTY: true });
    const p = await createProgress(ctx, TITLE);
    const s = busySnapshot();
    p.onEvent({ type: 'change', at: new Date(), message: 'a change line' });
    p.onEvent({ type: 'snapshot', snapshot: s });
    await p.close();
    expect(loads).toBe(1);
    expect(updates).toEqual([s]);
    expect(stops).toBe(1);
    expect(ctx.stderr.text).toBe('');
  });

  it('falls back to plain lines when the live view cannot be loaded', async () => {
    failLoad = true;
    const { createProgress } = await import('../../../src/ui/progress.js');
    const ctx = makeCtx({ stdoutTTY: true });
    const p = await createProgress(ctx, TITLE);
    p.onEvent({ type: 'change', at: new Date(2026, 0, 1, 9, 8, 7), message: 'still reported' });
    await p.close();
    expect(loads).toBe(1);
    expect(ctx.stderr.text).toBe('09:08:07 still reported\n');
    expect(ctx.stderr.text).not.toMatch(ESC);
  });
});
