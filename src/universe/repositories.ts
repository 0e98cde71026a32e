/**
 * The user's package repositories, in priority order (index 0 is searched first). Stored in
 * `repositories.json` in the config dir; until the user changes it, the list is just the bundled
 * universe that ships with dcos.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionCtx } from '../core/context.js';
import { DcosError, UsageError } from '../core/errors.js';
import type { RepositoryRef } from './model.js';
import { findPackagesDir, LocalDirSource } from './sources/local-dir.js';
import { IndexFileSource } from './sources/index-file.js';
import type { RepositorySource } from './sources/source.js';
import { writeFileAtomic } from '../core/atomic-file.js';

/** The stored URI of the universe bundled with dcos. */
export const BUNDLED_URI = 'bundled';
export const DEFAULT_REPOSITORIES: readonly RepositoryRef[] = [{ name: 'bundled', uri: BUNDLED_URI }];

let bundledDir: string | undefined;

/** The `packages-repo/` directory of this installation. */
export function bundledRepoDir(): string {
  if (bundledDir) return bundledDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'packages-repo');
    if (existsSync(join(candidate, 'packages'))) return (bundledDir = candidate);
    dir = dirname(dir);
  }
  throw new DcosError('EBUNDLED', 'The bundled package repository (packages-repo/) is missing from this installation');
}

function repoFile(ctx: ActionCtx): string {
  return join(ctx.paths.config, 'repositories.json');
}

export function loadRepositories(ctx: ActionCtx): RepositoryRef[] {
  const file = repoFile(ctx);
  if (!existsSync(file)) return DEFAULT_REPOSITORIES.map((r) => ({ ...r }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DcosError('ECONFIG', `Cannot read the repository list ${file}: ${(err as Error).message}`, {
      hint: 'Fix or delete the file; without it dcos uses the bundled repository.',
    });
  }
  const list = (parsed as { repositories?: unknown }).repositories;
  if (!Array.isArray(list) || !list.every((r) => typeof r?.name === 'string' && typeof r?.uri === 'string')) {
    throw new DcosError('ECONFIG', `The repository list ${file} must be {"repositories": [{"name", "uri"}...]}`);
  }
  return list.map((r: RepositoryRef) => ({ name: r.name, uri: r.uri }));
}

export function saveRepositories(ctx: ActionCtx, repositories: readonly RepositoryRef[]): void {
  const file = repoFile(ctx);
  writeFileAtomic(file, JSON.stringify({ repositories }, null, 2) + '\n');
}

/** Where a stored URI points: `bundled`, a directory, an index file, or an http(s) URL. */
export function describeLocation(uri: string): string {
  return uri === BUNDLED_URI ? bundledRepoDir() : uri;
}

/**
 * Turns what the user typed into the URI to store: URLs stay as they are; `file://` URLs and paths
 * become absolute paths. Checks that a local location is a repository directory or a file.
 */
export function normalizeRepoUri(ctx: ActionCtx, input: string): string {
  if (input === BUNDLED_URI) return input;
  if (/^https?:\/\//i.test(input)) return input;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith('file://')) {
    throw new UsageError(`Repository URI [${input}] uses an unsupported scheme`, {
      hint: 'Use a local directory or index file, a file:// URL, or an http(s) URL.',
    });
  }
  const path = input.startsWith('file://') ? fileURLToPath(input) : resolve(ctx.cwd, input);
  if (!existsSync(path)) throw new DcosError('EREPO', `Repository location ${path} does not exist`);
  if (statSync(path).isDirectory() && !findPackagesDir(path)) {
    throw new DcosError('EREPO', `${path} is not a package repository: it has no packages/ directory`, {
      hint: 'A repository directory holds packages/<LETTER>/<name>/<revision>/, as Universe does.',
    });
  }
  return path;
}

export function openSource(ctx: ActionCtx, ref: RepositoryRef): RepositorySource {
  const cacheRoot = ctx.paths.cache;
  const location = describeLocation(ref.uri);
  if (!/^https?:\/\//i.test(location) && existsSync(location) && statSync(location).isDirectory()) {
    return new LocalDirSource(ref, location, cacheRoot);
  }
  if (!/^https?:\/\//i.test(location) && !existsSync(location)) {
    throw new DcosError('EREPO', `Repository [${ref.name}]: ${location} does not exist`);
  }
  return new IndexFileSource(ref, location, {
    cacheRoot,
    ttlSeconds: ctx.config.getNumber('package.cache_ttl') ?? 300,
    timeoutSeconds: ctx.config.getNumber('core.timeout') ?? 180,
    now: () => ctx.now().getTime(),
    warn: ctx.warn,
    signal: ctx.signal,
  });
}
