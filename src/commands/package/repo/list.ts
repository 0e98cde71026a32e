import type { Ctx } from '../../../core/context.js';
import { noneFound, printJson, printTable } from '../../../core/output.js';
import { listRepositories } from '../../../actions/package-repo.js';
import { actions } from '../../shared.js';

export interface RepoListFlags {
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: RepoListFlags): Promise<void> {
  const repos = listRepositories(actions(ctx));
  if (opts.json) {
    printJson(ctx, { repositories: repos });
    return;
  }
  if (repos.length === 0) {
    noneFound(ctx, 'No package repositories are configured. Add one with "dcos package repo add <name> <uri>".');
    return;
  }
  printTable(ctx, repos.map((r, i) => ({ ...r, priority: i })), [
    { header: 'PRIORITY', value: (r) => r.priority, align: 'right' },
    { header: 'NAME', value: (r) => r.name },
    { header: 'KIND', value: (r) => r.kind },
    { header: 'LOCATION', value: (r) => r.location },
  ]);
}
