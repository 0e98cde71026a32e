/**
 * Progress of a deployment watch, the one entry point commands use. In an interactive terminal it
 * is a live view drawn by ink on stderr; anywhere else (pipe, CI, --json, TERM=dumb) it is one
 * plain line per change on stderr, or one JSON line per change with --json.
 *
 * Startup cost: this module imports nothing heavy. ink and react are loaded (through
 * ./live-view.js) only when the live view is actually shown.
 */
import type { WatchEvent } from '../actions/watch-types.js';
import type { Ctx } from '../core/context.js';
import { isInteractive } from '../core/tty.js';
// Type only (erased): the module itself is imported on demand below.
import type { LiveViewHandle } from './live-view.js';
import { clockTime, oneLine } from './progress-format.js';
import { info } from '../core/output.js';

export interface ProgressReporter {
  /** Feed every WatchEvent of a deployment watch. */
  onEvent(event: WatchEvent): void;
  /** Stop the live view (leaving its final frame on screen) or flush; call on success and failure alike. */
  close(): Promise<void>;
}

/**
 * The live view needs a terminal on stderr too, since that is where it draws: with
 * `2>file` the file would otherwise collect ink's cursor codes. And a terminal with a size: on a
 * 0x0 pseudo-terminal (some CI runners, `script` without a size) ink would clear the screen over
 * and over and draw nothing.
 */
export function wantsLiveView(ctx: Ctx): boolean {
  return isInteractive(ctx) && Boolean(ctx.stderr.isTTY) && (ctx.stderr.columns ?? 0) > 0 && (ctx.stderr.rows ?? 0) > 0;
}

export async function createProgress(ctx: Ctx, title: string): Promise<ProgressReporter> {
  if (!wantsLiveView(ctx)) return plainProgress(ctx);
  let view: LiveViewHandle;
  try {
    const { renderLiveView } = await import('./live-view.js');
    view = renderLiveView(ctx, title);
  } catch (err) {
    // A progress display must never fail the operation it shows: fall back to plain lines.
    if (ctx.global.verbose > 0) info(ctx, `live view unavailable (${err instanceof Error ? err.message : String(err)}), printing plain progress`);
    return plainProgress(ctx);
  }
  return {
    onEvent(event) {
      // Snapshots carry everything the view shows; change lines are for logs.
      if (event.type === 'snapshot') view.update(event.snapshot);
    },
    close: () => view.stop(),
  };
}

/** `HH:MM:SS <message>` per change, or `{"progress":{"at","message"}}` with --json. Never escape codes. */
function plainProgress(ctx: Ctx): ProgressReporter {
  let closed = false;
  return {
    onEvent(event) {
      if (closed || event.type !== 'change') return;
      const message = oneLine(event.message);
      ctx.stderr.write(
        ctx.global.json
          ? JSON.stringify({ progress: { at: event.at.toISOString(), message } }) + '\n'
          : `${clockTime(event.at)} ${message}\n`,
      );
    },
    async close() {
      // Lines are written as they come: nothing is buffered.
      closed = true;
    },
  };
}
