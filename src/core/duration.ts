/** Durations as users type them: 90 (seconds), 0.5, 90s, 500ms, 5m, 1h30m. */
import { UsageError } from './errors.js';

export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(t) && Number(t) > 0) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = '';
  for (const m of t.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0];
  }
  if (!t || consumed !== t || total <= 0) {
    throw new UsageError(`Invalid duration "${text}" for ${flag}`, { hint: 'Use seconds or units, for example 90, 90s, 5m or 1h30m.' });
  }
  return total;
}
