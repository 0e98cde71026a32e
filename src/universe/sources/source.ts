/** A package repository as the catalog sees it, whatever it is stored as. */
import type { BrokenRevision, PackageDefinition, PackageSummary, RepositoryRef } from '../model.js';

export interface RepoIndex {
  /** By package name. */
  packages: Record<string, PackageSummary>;
  broken: BrokenRevision[];
}

export interface PackageRevisions {
  /** Valid revisions, newest first. */
  definitions: PackageDefinition[];
  broken: BrokenRevision[];
}

/** Which packages a command is about, judged on their search summary (its revisions left out). */
export type SummaryFocus = (summary: Omit<PackageSummary, 'revisions'>) => boolean;

export interface RepositorySource {
  readonly ref: RepositoryRef;
  /** Recorded on installed apps as DCOS_PACKAGE_SOURCE. */
  readonly sourceUri: string;
  /**
   * The search index, rebuilt only for what changed since it was cached. The packages for which
   * `focus` holds (every package without one) are checked exactly: every file that validation
   * reads in their latest revision. The others only for revisions added or removed and their
   * latest package.json, which keeps a search of a large repository cheap.
   */
  index(focus?: SummaryFocus): Promise<RepoIndex>;
  /** Every revision of one package, read and validated. */
  revisions(name: string): Promise<PackageRevisions>;
}
