/** Building the index of a local repository, for publishing it as a file or over http. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ActionCtx } from '../core/context.js';
import { DcosError } from '../core/errors.js';
import type { BrokenRevision, PackageDefinition } from '../universe/model.js';
import { findPackagesDir, LocalDirSource } from '../universe/sources/local-dir.js';
import { compareText } from '../core/compare.js';

export interface BuiltIndex {
  index: { packages: PackageDefinition[] };
  broken: BrokenRevision[];
}

export async function buildRepositoryIndex(ctx: ActionCtx, dirInput: string): Promise<BuiltIndex> {
  const dir = resolve(ctx.cwd, dirInput);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir || !findPackagesDir(dir)) {
    throw new DcosError('EREPO', `${dir} is not a package repository: it has no packages/ directory`, {
      hint: 'A repository directory holds packages/<LETTER>/<name>/<revision>/, as Universe does.',
    });
  }
  const source = new LocalDirSource({ name: 'index', uri: dir }, dir, ctx.paths.cache);
  const { definitions, broken } = await source.readAll();
  definitions.sort((a, b) => compareText(a.name, b.name) || a.releaseVersion - b.releaseVersion);
  return { index: { packages: definitions }, broken };
}
