/**
 * A repository in Universe layout on disk: `<root>/packages/<L>/<name>/<revision>/`.
 *
 * Searching must not walk every revision, so the search index is cached per repository and checked
 * package by package, with stats only: a package is re-read when its directory's mtime (a revision
 * added or removed), its latest valid revision's package.json or a file of a broken revision
 * changed; and, for the packages the command is about (those a search shows, the one describe
 * reads), when any file that validation reads in the latest valid revision changed. An edit inside
 * an older revision is seen by describe and install, which read every revision; what they find is
 * written back to the index, so search agrees from then on.
 */
import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DcosError } from '../../core/errors.js';
import { readCache, repoCacheDir, writeCache } from '../cache-files.js';
import type { BrokenRevision, PackageDefinition, PackageSummary, RepositoryRef, RevisionSummary } from '../model.js';
import type { readRevision as ReadRevision } from '../read-revision.js';
import { summarize } from '../summarize.js';
import type { PackageRevisions, RepoIndex, RepositorySource, SummaryFocus } from './source.js';

const FORMAT = 3;

/** The files of a revision that validation reads (a missing one appearing changes the directory). */
/** The mtime and size a watched file that does not exist is recorded with. */
const ABSENT = -1;
const REVISION_FILES = ['package.json', 'config.json', 'resource.json', 'command.json', 'marathon.json.mustache'];

/** Watched paths, flat as [path, mtimeMs, size, ...], relative to the package directory. */
type Watch = Array<string | number>;

interface CachedPackage {
  letter: string;
  mtime: number;
  /** Always checked: the latest valid revision's package.json, every file and directory of the broken revisions. */
  watch: Watch;
  /** Checked for the packages in focus: the latest valid revision's directory and its other files. */
  latest: Watch;
  summary: CachedSummary | null;
  broken: BrokenRevision[];
}

/**
 * The search summary with its revisions flat, as [version, releaseVersion, ...]: one array per
 * package instead of an object per revision keeps the index quick to parse. Decoded on use.
 */
type CachedSummary = Omit<PackageSummary, 'revisions'> & { revisions: Array<string | number> };

function cacheSummary(summary: PackageSummary | null): CachedSummary | null {
  if (!summary) return null;
  return { ...summary, revisions: summary.revisions.flatMap((r) => [r.version, r.releaseVersion]) };
}

/** A summary whose revisions are decoded only when read (a search reads those it shows). */
function openSummary(c: CachedSummary): PackageSummary {
  let decoded: RevisionSummary[] | undefined;
  const summary: PackageSummary = {
    name: c.name,
    currentVersion: c.currentVersion,
    releaseVersion: c.releaseVersion,
    description: c.description,
    tags: c.tags,
    selected: c.selected,
    framework: c.framework,
    get revisions(): RevisionSummary[] {
      if (!decoded) {
        decoded = [];
        for (let i = 0; i < c.revisions.length; i += 2) decoded.push({ version: c.revisions[i] as string, releaseVersion: c.revisions[i + 1] as number });
      }
      return decoded;
    },
  };
  if (c.images) summary.images = c.images;
  return summary;
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

  async index(focus?: SummaryFocus): Promise<RepoIndex> {
    const packagesDir = this.packagesDir();
    const cacheFile = join(repoCacheDir(this.cacheRoot, this.dir), 'index.json');
    const cached = readCache<CacheFile>(cacheFile, FORMAT);
    const previous = cached?.root === packagesDir ? cached.packages : {};
    const next: Record<string, CachedPackage> = {};
    let changed = !cached;

    // The hot loop of every search: plain names and string paths, two stats per package and a few
    // more for those in focus. Packages that changed are read after the loop, loading the
    // validation code only when there are any.
    const stale: Array<{ letter: string; name: string; stat: Stats }> = [];
    for (const letter of listDirs(packagesDir)) {
      const letterDir = `${packagesDir}/${letter}`;
      for (const name of readdirSync(letterDir)) {
        if (name.startsWith('.')) continue;
        const pkgDir = `${letterDir}/${name}`;
        const stat = statSync(pkgDir, { throwIfNoEntry: false });
        if (!stat?.isDirectory()) continue;
        const old = previous[name];
        const exact = old?.summary ? (focus?.(old.summary) ?? true) : false;
        if (
          old && old.letter === letter && old.mtime === stat.mtimeMs &&
          watchedUnchanged(pkgDir, old.watch) && (!exact || watchedUnchanged(pkgDir, old.latest))
        ) {
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
    this.cached = { file: cacheFile, root: packagesDir, packages: next };

    const index: RepoIndex = { packages: {}, broken: [] };
    for (const [name, entry] of Object.entries(next)) {
      if (entry.summary) index.packages[name] = openSummary(entry.summary);
      index.broken.push(...entry.broken);
    }
    return index;
  }

  private scanPackage(packagesDir: string, letter: string, name: string, stat: Stats, read?: PackageRevisions): CachedPackage {
    const { definitions, broken } = read ?? this.readPackage(packagesDir, letter, name);
    const summary = summarize(definitions);
    const pkgDir = join(packagesDir, letter, name);
    const always: string[] = [];
    const latest: string[] = [];
    if (summary) {
      const rev = String(summary.releaseVersion);
      always.push(join(rev, 'package.json'));
      latest.push(rev, ...REVISION_FILES.filter((f) => f !== 'package.json').map((f) => join(rev, f)));
    }
    for (const b of broken) {
      if (b.releaseVersion === null) continue;
      const rev = String(b.releaseVersion);
      always.push(rev, ...readdirSync(join(pkgDir, rev)).map((f) => join(rev, f)));
    }
    const stats = (paths: string[]): Watch => {
      const watch: Watch = [];
      for (const path of paths) {
        const s = statSync(join(pkgDir, path), { throwIfNoEntry: false });
        // An absent file is watched too (as -1): one that appears later, such as a new
        // command.json, is a change even within the same tick of the directory's mtime.
        watch.push(path, s ? s.mtimeMs : ABSENT, s ? s.size : ABSENT);
      }
      return watch;
    };
    const watch = stats(always);
    return { letter, mtime: stat.mtimeMs, watch, latest: stats(latest), summary: cacheSummary(summary), broken };
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
    const read = this.readPackage(packagesDir, letter, name);
    this.remember(packagesDir, letter, name, read);
    return read;
  }

  /** The index this source loaded, so a fresh read of a package can correct it. */
  private cached?: { file: string; root: string; packages: Record<string, CachedPackage> };

  /**
   * A fresh read that disagrees with the index (an older revision edited in place, which a search
   * does not check) replaces the package's entry, so the next search agrees with this read.
   */
  private remember(packagesDir: string, letter: string, name: string, read: PackageRevisions): void {
    const cached = this.cached;
    const old = cached?.packages[name];
    if (!cached || cached.root !== packagesDir || !old) return;
    const stat = statSync(join(packagesDir, letter, name), { throwIfNoEntry: false });
    if (!stat?.isDirectory()) return;
    const fresh = this.scanPackage(packagesDir, letter, name, stat, read);
    if (JSON.stringify([old.summary, old.broken]) === JSON.stringify([fresh.summary, fresh.broken])) return;
    cached.packages[name] = fresh;
    writeCache(cached.file, { format: FORMAT, root: packagesDir, packages: cached.packages } satisfies CacheFile);
  }
}

function listDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

function watchedUnchanged(pkgDir: string, watch: Readonly<Watch>): boolean {
  for (let i = 0; i < watch.length; i += 3) {
    const s = statSync(`${pkgDir}/${watch[i]}`, { throwIfNoEntry: false });
    if ((s ? s.mtimeMs : ABSENT) !== watch[i + 1] || (s ? s.size : ABSENT) !== watch[i + 2]) return false;
  }
  return true;
}
