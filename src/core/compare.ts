/**
 * Ordinal string order. Ids, names and versions here are ASCII; the ICU collator behind
 * localeCompare costs milliseconds to load, on the path of every listing.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
