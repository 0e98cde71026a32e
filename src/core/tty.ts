/** Terminal detection: colour, live views and prompts each have their own rule. */
import type { Ctx, OutStream } from './context.js';

/** As ink decides it: CI set to anything but "false" or "0" (even empty) means CI. */
function isCI(env: Ctx['env']): boolean {
  return env.CI !== undefined && env.CI !== 'false' && env.CI !== '0';
}

/** A live (ink) view is allowed: a TTY on stdout, not CI, not --json, TERM not dumb. */
export function isInteractive(ctx: Ctx): boolean {
  return Boolean(ctx.stdout.isTTY) && !isCI(ctx.env) && !ctx.global.json && ctx.env.TERM !== 'dumb';
}

/** A prompt is allowed: interactive, and stdin is a terminal too. */
export function canPrompt(ctx: Ctx): boolean {
  return isInteractive(ctx) && Boolean(ctx.stdin.isTTY);
}

/** NO_COLOR wins, then FORCE_COLOR, then --color / DCOS_COLOR / core.color, then "is it a TTY". */
export function useColor(ctx: Ctx, stream: OutStream): boolean {
  if (ctx.env.NO_COLOR) return false;
  const force = ctx.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  const mode = ctx.global.color === 'auto' ? configuredColor(ctx) : ctx.global.color;
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return Boolean(stream.isTTY) && ctx.env.TERM !== 'dumb';
}

function configuredColor(ctx: Ctx): string {
  try {
    return String(ctx.config.get('core.color') ?? 'auto');
  } catch {
    // An unreadable config file is reported by whoever needs it; colour falls back to auto.
    return 'auto';
  }
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof CODES;

/** A styler bound to one stream's colour decision. */
export function styler(ctx: Ctx, stream: OutStream): (style: Style, text: string) => string {
  const on = useColor(ctx, stream);
  return (style, text) => (on ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text);
}
