/** Searching the configured repositories. */
import type { ActionCtx } from '../core/context.js';
import { Catalog, type SearchResult } from '../universe/catalog.js';

export async function searchPackages(ctx: ActionCtx, query?: string): Promise<SearchResult[]> {
  return new Catalog(ctx).search(query);
}

/** The JSON shape of a search hit, as Cosmos answers /package/search. */
export function searchResultJson(r: SearchResult) {
  return {
    name: r.name,
    currentVersion: r.currentVersion,
    versions: Object.fromEntries(Object.entries(r.versions).map(([v, rev]) => [v, String(rev)])),
    description: r.description,
    framework: r.framework,
    tags: r.tags,
    selected: r.selected,
    ...(r.images ? { images: r.images } : {}),
  };
}
