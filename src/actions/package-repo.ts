/** Managing the repository list. Every change is checked before it is saved; a failure saves nothing. */
import type { ActionCtx } from '../core/context.js';
import { DcosError, UsageError } from '../core/errors.js';
import type { RepositoryRef } from '../universe/model.js';
import { describeLocation, loadRepositories, normalizeRepoUri, openSource, saveRepositories } from '../universe/repositories.js';

export interface RepositoryInfo extends RepositoryRef {
  /** Where the repository really is (the bundled one resolves to this installation's copy). */
  location: string;
  kind: 'bundled' | 'directory' | 'index-file' | 'url';
}

export function listRepositories(ctx: ActionCtx): RepositoryInfo[] {
  return loadRepositories(ctx).map((ref) => {
    const location = safeLocation(ref.uri);
    const kind: RepositoryInfo['kind'] =
      ref.uri === 'bundled' ? 'bundled' : /^https?:/i.test(ref.uri) ? 'url' : /\.json$/i.test(ref.uri) ? 'index-file' : 'directory';
    return { ...ref, location, kind };
  });
}

function safeLocation(uri: string): string {
  try {
    return describeLocation(uri);
  } catch {
    return uri;
  }
}

export async function addRepository(ctx: ActionCtx, name: string, uriInput: string, index?: number): Promise<RepositoryRef[]> {
  if (!/^[^\s]+$/.test(name)) throw new UsageError(`Invalid repository name [${name}]: it must not be empty or contain spaces`);
  const repos = loadRepositories(ctx);
  if (repos.some((r) => r.name === name)) {
    throw new DcosError('EREPO_EXISTS', `Repository name [${name}] is already present in the list`, {
      hint: `Remove it first with: dcos package repo remove ${name}`,
    });
  }
  const uri = normalizeRepoUri(ctx, uriInput);
  const existing = repos.find((r) => r.uri === uri);
  if (existing) throw new DcosError('EREPO_EXISTS', `Repository URI [${uri}] is already present in the list as [${existing.name}]`);
  if (index !== undefined && index > repos.length) {
    throw new UsageError(`Index (${index}) is out of range. Index value must be between 0 and ${repos.length} inclusive.`);
  }
  const ref = { name, uri };
  // Like Cosmos, refuse a repository that cannot be read now.
  const index_ = await openSource(ctx, ref).index();
  for (const broken of index_.broken.slice(0, 5)) {
    ctx.warn(`Repository [${name}] has an invalid package revision: ${broken.file} (${broken.problems[0]?.message})`);
  }
  const next = [...repos];
  next.splice(index ?? repos.length, 0, ref);
  saveRepositories(ctx, next);
  return next;
}

export function removeRepositories(ctx: ActionCtx, names: readonly string[]): RepositoryRef[] {
  const repos = loadRepositories(ctx);
  const missing = names.filter((n) => !repos.some((r) => r.name === n));
  if (missing.length) {
    throw new DcosError('EREPO_MISSING', `Repository name [${missing[0]}] is not present in the list`, {
      hint: `The repositories are: ${repos.map((r) => r.name).join(', ') || '(none)'}`,
    });
  }
  const next = repos.filter((r) => !names.includes(r.name));
  saveRepositories(ctx, next);
  return next;
}
