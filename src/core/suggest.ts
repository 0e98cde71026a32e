/** "Did you mean" suggestions by edit distance. */
import { compareText } from './compare.js';

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length];
}

/** Up to `max` candidates close to `word`: small edit distance, or sharing a prefix or substring. */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const limit = w.length <= 3 ? 1 : Math.max(2, Math.floor(w.length / 3));
  const scored: Array<[number, string]> = [];
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const distance = editDistance(w, c);
    if (distance <= limit) scored.push([distance, candidate]);
    else if (w.length >= 3 && (c.includes(w) || w.includes(c))) scored.push([limit + 1, candidate]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || compareText(a[1], b[1]))
    .slice(0, max)
    .map(([, c]) => c);
}

/** ` Did you mean "x"?` or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const found = suggest(word, candidates);
  if (found.length === 0) return undefined;
  return `Did you mean ${found.map((f) => `"${f}"`).join(' or ')}?`;
}
