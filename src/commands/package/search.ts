import type { Ctx } from '../../core/context.js';
import { noneFound, printJson, printTable, truncate } from '../../core/output.js';
import { searchPackages, searchResultJson } from '../../actions/package-search.js';
import { actions } from '../shared.js';

export interface SearchFlags {
  json?: boolean;
}

export async function run(ctx: Ctx, [query]: readonly [string | undefined], opts: SearchFlags): Promise<void> {
  const results = await searchPackages(actions(ctx), query);
  if (opts.json) {
    printJson(ctx, { packages: results.map(searchResultJson) });
    return;
  }
  if (results.length === 0) {
    noneFound(
      ctx,
      query ? `No packages found matching "${query}"` : 'No packages found',
      query ? 'Search matches names, tags and descriptions; use "*" as a wildcard, or search without a query to list everything.' : 'Check the repositories with "dcos package repo list".',
    );
    return;
  }
  printTable(ctx, results, [
    { header: 'NAME', value: (r) => r.name },
    { header: 'VERSION', value: (r) => r.currentVersion },
    { header: 'CERTIFIED', value: (r) => String(r.selected) },
    { header: 'FRAMEWORK', value: (r) => String(r.framework) },
    { header: 'DESCRIPTION', value: (r) => truncate(r.description, 79) },
  ]);
}
