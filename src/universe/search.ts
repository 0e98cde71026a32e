/**
 * Search as Cosmos does it: a query without `*` is a case-insensitive substring of the name,
 * description or a tag; with `*` it is a whole-string wildcard pattern. Certified (selected)
 * packages first, then by name.
 */
import { compareText } from '../core/compare.js';
import type { PackageSummary } from './model.js';

export function matcher(query: string | undefined): (text: string) => boolean {
  const q = (query ?? '').trim();
  if (!q) return () => true;
  if (q.includes('*')) {
    const pattern = new RegExp(`^${q.split('*').map(escapeRegExp).join('.*')}$`, 'i');
    return (text) => pattern.test(text);
  }
  const needle = q.toLowerCase();
  return (text) => text.toLowerCase().includes(needle);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export function matchesPackage(pkg: Pick<PackageSummary, 'name' | 'description' | 'tags'>, test: (text: string) => boolean): boolean {
  return test(pkg.name) || test(pkg.description) || pkg.tags.some(test);
}

export function sortResults<T extends PackageSummary>(results: T[]): T[] {
  return results.sort((a, b) => Number(b.selected) - Number(a.selected) || compareText(a.name, b.name));
}
