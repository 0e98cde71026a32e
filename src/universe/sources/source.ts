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

export interface RepositorySource {
  readonly ref: RepositoryRef;
  /** Recorded on installed apps as DCOS_PACKAGE_SOURCE. */
  readonly sourceUri: string;
  /** The search index, rebuilt only for what changed since it was cached. */
  index(): Promise<RepoIndex>;
  /** Every revision of one package, read and validated. */
  revisions(name: string): Promise<PackageRevisions>;
}
