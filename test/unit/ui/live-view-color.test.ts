/**
 * Colour in the live view follows useColor(ctx, ctx.stderr), not ink's own detection: ink (chalk)
 * is forced able to colour here, so any colour that shows up came from the view asking for it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { renderLiveView as RenderLiveView } from '../../../src/ui/live-view.js';
import { busySnapshot, makeCtx, TITLE } from './fixtures.js';

let renderLiveView: typeof RenderLiveView;
beforeAll(async () => {
  // chalk reads FORCE_COLOR when it is first loaded; vitest gives each test file its own process.
  process.env.FORCE_COLOR = '1';
  ({ renderLiveView } = await import('../../../src/ui/live-view.js'));
});

async function draw(env: Record<string, string>, global: { color?: 'always' | 'never' } = {}) {
  const ctx = makeCtx({ stdoutTTY: true, env });
  Object.assign(ctx.global, global);
  const view = renderLiveView(ctx, TITLE);
  view.update(busySnapshot());
  await view.stop();
  return ctx.stderr.text;
}

const SGR_COLOUR = /\u001b\[(3[1-7]|1|2)m/;

describe('live view colours', () => {
  it('colours states, health and the queue when colour is allowed', async () => {
    const out = await draw({});
    expect(out).toContain('\u001b[32mrunning\u001b[39m');
    expect(out).toContain('\u001b[31munhealthy: HTTP 503 from /health\u001b[39m');
    expect(out).toContain('\u001b[33mchecking\u001b[39m');
    expect(out).toContain('\u001b[33mwaiting to place 1 task(s)');
    expect(out).toContain('\u001b[1mInstalling hello-world');
  });

  it('draws plain text with NO_COLOR or --color=never', async () => {
    for (const out of [await draw({ NO_COLOR: '1' }), await draw({}, { color: 'never' })]) {
      expect(out).toContain('unhealthy: HTTP 503 from /health');
      expect(out).not.toMatch(SGR_COLOUR);
    }
  });
});
