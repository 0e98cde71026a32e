/**
 * All configured repositories seen as one universe: search across them, resolve a package to one
 * revision, list its versions. A repository that cannot be read, or a broken package revision, is
 * reported once (through `warn`) and skipped; the rest keeps working.
 */
import type { ActionCtx } from '../core/context.js';
import { DcosError, isDcosError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { decodeTemplate, type BrokenRevision, type PackageSummary, type RepositoryRef, type ResolvedPackage } from './model.js';
import { loadRepositories, openSource } from './repositories.js';
import { matcher, matchesPackage, sortResults } from './search.js';
import type { RepoIndex, RepositorySource, SummaryFocus } from './sources/source.js';
import type { Candidate } from './versions.js';

export interface SearchResult extends PackageSummary {
  /** version -> highest releaseVersion, across repositories. */
  versions: Record<string, number>;
  repository: string;
}

export class Catalog {
  private readonly sources: RepositorySource[] = [];
  private readonly failed: Array<{ ref: RepositoryRef; reason: string }> = [];
  private readonly reported = new Set<string>();
  private indexes?: Promise<Array<RepoIndex | undefined>>;

  private readonly warn: (message: string) => void;

  constructor(ctx: ActionCtx, repositories: readonly RepositoryRef[] = loadRepositories(ctx)) {
    this.warn = ctx.warn;
    for (const ref of repositories) {
      try {
        this.sources.push(openSource(ctx, ref));
      } catch (err) {
        this.skipRepository(ref, err);
      }
    }
  }

  private skipRepository(ref: RepositoryRef, err: unknown): void {
    if (!isDcosError(err)) throw err;
    this.failed.push({ ref, reason: err.message });
    this.warn(`Skipping repository [${ref.name}]: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
  }

  private report(source: RepositorySource, broken: readonly BrokenRevision[]): void {
    for (const b of broken) {
      const key = `${source.ref.name}\0${b.file}\0${b.name}\0${b.releaseVersion}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      const what = b.releaseVersion === null ? `package [${b.name}]` : `package [${b.name}] revision ${b.releaseVersion}`;
      const lines = b.problems.map((p) => `    ${b.file}${p.path && p.path !== '/' ? `: ${p.path}` : ''}: ${p.message}`);
      this.warn(`Skipping invalid ${what} in repository [${source.ref.name}]:\n${lines.join('\n')}`);
    }
  }

  /**
   * Each repository's index (undefined for one that failed), loaded once per command. `focus`
   * names the packages the command is about: they are checked exactly (see RepositorySource).
   */
  private loadIndexes(focus?: SummaryFocus): Promise<Array<RepoIndex | undefined>> {
    this.indexes ??= Promise.all(
      this.sources.map(async (source) => {
        try {
          const index = await source.index(focus);
          this.report(source, index.broken);
          return index;
        } catch (err) {
          if (isDcosError(err) && err.code === 'EINTERRUPTED') throw err;
          this.skipRepository(source.ref, err);
          return undefined;
        }
      }),
    );
    return this.indexes;
  }

  async search(query?: string): Promise<SearchResult[]> {
    const test = matcher(query);
    const indexes = await this.loadIndexes((summary) => matchesPackage(summary, test));
    const byName = new Map<string, SearchResult>();
    indexes.forEach((index, i) => {
      if (!index) return;
      for (const summary of Object.values(index.packages)) {
        const existing = byName.get(summary.name);
        if (!existing) {
          if (!matchesPackage(summary, test)) continue;
          byName.set(summary.name, { ...summary, versions: versionMap(summary), repository: this.sources[i].ref.name });
        } else {
          for (const r of summary.revisions) existing.versions[r.version] ??= r.releaseVersion;
        }
      }
    });
    return sortResults([...byName.values()]);
  }

  async packageNames(): Promise<string[]> {
    const indexes = await this.loadIndexes(() => false);
    const names = new Set<string>();
    for (const index of indexes) if (index) for (const name of Object.keys(index.packages)) names.add(name);
    return [...names].sort();
  }

  /** Every valid revision of a package across repositories, in resolution order. */
  async candidates(name: string): Promise<Candidate[]> {
    const indexes = await this.loadIndexes((summary) => summary.name === name);
    const candidates: Candidate[] = [];
    for (let i = 0; i < this.sources.length; i++) {
      if (!indexes[i]?.packages[name]) continue;
      const { definitions, broken } = await this.sources[i].revisions(name);
      this.report(this.sources[i], broken);
      for (const definition of definitions) candidates.push({ repoIndex: i, definition });
    }
    const { orderCandidates } = await import('./versions.js');
    return orderCandidates(candidates);
  }

  async resolve(name: string, version?: string): Promise<ResolvedPackage> {
    const candidates = await this.candidates(name);
    if (candidates.length === 0) throw await this.notFound(name);
    const { selectRevision, listVersions } = await import('./versions.js');
    const chosen = selectRevision(candidates, version);
    if (!chosen) {
      const versions = listVersions(candidates).map((v) => v.version);
      throw new DcosError('EVERSION_NOT_FOUND', `Version [${version}] of package [${name}] not found`, {
        hint: `Versions available: ${versions.join(', ')}`,
      });
    }
    const source = this.sources[chosen.repoIndex];
    return {
      definition: chosen.definition,
      repository: source.ref,
      sourceUri: source.sourceUri,
      template: decodeTemplate(chosen.definition),
    };
  }

  private async notFound(name: string): Promise<DcosError> {
    const names = await this.packageNames();
    const failedNote = this.failed.length
      ? ` Note: ${this.failed.length} repositor${this.failed.length === 1 ? 'y was' : 'ies were'} skipped (${this.failed.map((f) => f.ref.name).join(', ')}).`
      : '';
    const hint = (didYouMean(name, names) ?? 'Find the correct package name using "dcos package search".') + failedNote;
    return new DcosError('EPACKAGE_NOT_FOUND', `Package [${name}] not found`, { hint });
  }
}

function versionMap(summary: PackageSummary): Record<string, number> {
  const map: Record<string, number> = {};
  for (const r of summary.revisions) map[r.version] ??= r.releaseVersion;
  return map;
}
