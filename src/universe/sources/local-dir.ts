/**
 * A repository in Universe layout on disk: `<root>/packages/<L>/<name>/<revision>/`.
 *
 * Searching must not walk every revision, so the search index is cached per repository and checked
 * package by package: a package is re-read only when its directory's mtime (a revision added or
 * removed) or its latest revision's package.json changed. The cost of a warm search is then one
 * stat per package, not a read per revision.
 */
import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DcosError } from '../../core/errors.js';
import { readCache, repoCacheDir, writeCache } from '../cache-files.js';
import type { BrokenRevision, PackageDefinition, PackageSummary, RepositoryRef } from '../model.js';
import type { readRevision as ReadRevision } from '../read-revision.js';
import { summarize } from '../summarize.js';
import type { PackageRevisions, RepoIndex, RepositorySource } from './source.js';

const FORMAT = 2;

/** A path (relative to the package directory) whose change means the package must be re-read. */
interface Watched {
  path: string;
  mtime: number;
  size: number;
}

interface CachedPackage {
  letter: string;
  mtime: number;
  /**
   * The latest valid revision's package.json (what search shows), and every file and directory of
   * the broken revisions (so fixing one is noticed). Other edits inside existing revisions do not
   * change what search shows; describe and install read the revisions themselves.
   */
  watch: Watched[];
  summary: PackageSummary | null;
  broken: BrokenRevision[];
}

interface CacheFile {
  format: number;
  root: string;
  packages: Record<string, CachedPackage>;
}

/** Finds the folder holding `packages/`: the directory itself or its `repo/` (the Universe git layout). */
export function findPackagesDir(dir: string): string | undefined {
  for (const candidate of [join(dir, 'packages'), join(dir, 'repo', 'packages')]) {
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
  }
  return undefined;
}

export class LocalDirSource implements RepositorySource {
  readonly sourceUri: string;
  private readonly dir: string;

  constructor(
    readonly ref: RepositoryRef,
    dir: string,
    private readonly cacheRoot: string,
  ) {
    this.dir = resolve(dir);
    this.sourceUri = pathToFileURL(this.dir).href;
  }

  private packagesDir(): string {
    const found = findPackagesDir(this.dir);
    if (!found) {
      throw new DcosError('EREPO', `Repository [${this.ref.name}] has no packages/ directory at ${this.dir}`);
    }
    return found;
  }

  async index(): Promise<RepoIndex> {
    const packagesDir = this.packagesDir();
    const cacheFile = join(repoCacheDir(this.cacheRoot, this.dir), 'index.json');
    const cached = readCache<CacheFile>(cacheFile, FORMAT);
    const previous = cached?.root === packagesDir ? cached.packages : {};
    const next: Record<string, CachedPackage> = {};
    let changed = !cached;

    // The hot loop of every search: plain names and string paths, one stat per package. Packages
    // that changed are read after the loop, loading the validation code only when there are any.
    const stale: Array<{ letter: string; name: string; stat: Stats }> = [];
    for (const letter of listDirs(packagesDir)) {
      const letterDir = `${packagesDir}/${letter}`;
      for (const name of readdirSync(letterDir)) {
        if (name.startsWith('.')) continue;
        const pkgDir = `${letterDir}/${name}`;
        const stat = statSync(pkgDir, { throwIfNoEntry: false });
        if (!stat?.isDirectory()) continue;
        const old = previous[name];
        if (old && old.letter === letter && old.mtime === stat.mtimeMs && watchedUnchanged(pkgDir, old.watch)) {
          next[name] = old;
          continue;
        }
        stale.push({ letter, name, stat });
      }
    }
    if (stale.length > 0) {
      await this.loadReader();
      for (const { letter, name, stat } of stale) next[name] = this.scanPackage(packagesDir, letter, name, stat);
      changed = true;
    }
    if (Object.keys(previous).length !== Object.keys(next).length) changed = true;
    if (changed) writeCache(cacheFile, { format: FORMAT, root: packagesDir, packages: next } satisfies CacheFile);

    const index: RepoIndex = { packages: {}, broken: [] };
    for (const [name, entry] of Object.entries(next)) {
      if (entry.summary) index.packages[name] = entry.summary;
      index.broken.push(...entry.broken);
    }
    return index;
  }

  private scanPackage(packagesDir: string, letter: string, name: string, stat: Stats): CachedPackage {
    const { definitions, broken } = this.readPackage(packagesDir, letter, name);
    const summary = summarize(definitions);
    const pkgDir = join(packagesDir, letter, name);
    const paths: string[] = [];
    if (summary) paths.push(join(String(summary.releaseVersion), 'package.json'));
    for (const b of broken) {
      if (b.releaseVersion === null) continue;
      const rev = String(b.releaseVersion);
      paths.push(rev, ...readdirSync(join(pkgDir, rev)).map((f) => join(rev, f)));
    }
    const watch = paths.flatMap((path) => {
      try {
        const s = statSync(join(pkgDir, path));
        return [{ path, mtime: s.mtimeMs, size: s.size }];
      } catch {
        return [];
      }
    });
    return { letter, mtime: stat.mtimeMs, watch, summary, broken };
  }

  private reader?: typeof ReadRevision;

  /** The revision reader (validation, template parsing), loaded only when something must be read. */
  private async loadReader(): Promise<typeof ReadRevision> {
    this.reader ??= (await import('../read-revision.js')).readRevision;
    return this.reader;
  }

  private readPackage(packagesDir: string, letter: string, name: string): PackageRevisions {
    const readRevision = this.reader;
    if (!readRevision) throw new Error('readPackage before loadReader');
    const definitions: PackageDefinition[] = [];
    const broken: BrokenRevision[] = [];
    for (const entry of listDirs(join(packagesDir, letter, name))) {
      const display = `packages/${letter}/${name}/${entry}`;
      if (!/^(0|[1-9]\d*)$/.test(entry)) {
        broken.push({ name, releaseVersion: null, file: display, problems: [{ path: '/', message: 'revision directories must be named by a non-negative integer' }] });
        continue;
      }
      const result = readRevision(join(packagesDir, letter, name, entry), name, Number(entry), display);
      if (result.ok) definitions.push(result.definition);
      else broken.push(result.broken);
    }
    if (letter !== name[0]?.toUpperCase()) {
      broken.push({ name, releaseVersion: null, file: `packages/${letter}/${name}`, problems: [{ path: '/', message: `package directories belong under packages/${name[0]?.toUpperCase()}/` }] });
    }
    definitions.sort((a, b) => b.releaseVersion - a.releaseVersion);
    return { definitions, broken };
  }

  /** Every revision of every package, read fresh (for building a publishable index). */
  async readAll(): Promise<PackageRevisions> {
    const packagesDir = this.packagesDir();
    await this.loadReader();
    const all: PackageRevisions = { definitions: [], broken: [] };
    for (const letter of listDirs(packagesDir)) {
      for (const name of listDirs(join(packagesDir, letter))) {
        const { definitions, broken } = this.readPackage(packagesDir, letter, name);
        all.definitions.push(...definitions.reverse());
        all.broken.push(...broken);
      }
    }
    return all;
  }

  async revisions(name: string): Promise<PackageRevisions> {
    const packagesDir = this.packagesDir();
    const letter = name[0]?.toUpperCase() ?? '';
    if (!existsSync(join(packagesDir, letter, name))) return { definitions: [], broken: [] };
    await this.loadReader();
    return this.readPackage(packagesDir, letter, name);
  }
}

function listDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

function watchedUnchanged(pkgDir: string, watch: readonly Watched[]): boolean {
  for (const w of watch) {
    const s = statSync(`${pkgDir}/${w.path}`, { throwIfNoEntry: false });
    if (!s || s.mtimeMs !== w.mtime || s.size !== w.size) return false;
  }
  return true;
}
