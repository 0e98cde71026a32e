/** The package model: what a Universe package revision is, in our terms and Cosmos's. */

export type PackagingVersion = '2.0' | '3.0' | '4.0' | '5.0';
export const PACKAGING_VERSIONS: readonly PackagingVersion[] = ['2.0', '3.0', '4.0', '5.0'];

/** package.json of a revision (the fields dcos reads; others are kept as they are). */
export interface PackageMetadata {
  packagingVersion: PackagingVersion;
  name: string;
  version: string;
  maintainer: string;
  description: string;
  tags: string[];
  selected?: boolean;
  framework?: boolean;
  preInstallNotes?: string;
  postInstallNotes?: string;
  postUninstallNotes?: string;
  upgradesFrom?: string[];
  downgradesTo?: string[];
  minDcosReleaseVersion?: string;
  [key: string]: unknown;
}

export interface Resource {
  assets?: { uris?: Record<string, string>; container?: { docker?: Record<string, string> } };
  images?: Record<string, unknown>;
  cli?: unknown;
  [key: string]: unknown;
}

/**
 * One package revision in the built-index form Universe publishes (and Cosmos works with):
 * package.json fields plus releaseVersion, the base64 template, resource, config and command.
 */
export interface PackageDefinition extends PackageMetadata {
  releaseVersion: number;
  marathon?: { v2AppMustacheTemplate: string };
  resource?: Resource;
  config?: Record<string, unknown>;
  command?: { pip?: string[] } & Record<string, unknown>;
}

/** A repository the user configured, in priority order. */
export interface RepositoryRef {
  name: string;
  uri: string;
}

/** What search needs of one revision, small enough to keep every revision in one index file. */
export interface RevisionSummary {
  releaseVersion: number;
  version: string;
}

/** What search needs of one package: its latest revision's metadata and all its revisions. */
export interface PackageSummary {
  name: string;
  currentVersion: string;
  releaseVersion: number;
  description: string;
  tags: string[];
  selected: boolean;
  framework: boolean;
  images?: Record<string, unknown>;
  /** Newest first. */
  revisions: RevisionSummary[];
}

/** A revision that failed validation: reported once per run and skipped. */
export interface BrokenRevision {
  name: string;
  releaseVersion: number | null;
  file: string;
  problems: Array<{ path: string; message: string }>;
}

/** A resolved package revision together with where it came from. */
export interface ResolvedPackage {
  definition: PackageDefinition;
  repository: RepositoryRef;
  /** The URI recorded in DCOS_PACKAGE_SOURCE. */
  sourceUri: string;
  /** Template text (decoded), when the package has one. */
  template?: string;
}

export function decodeTemplate(def: PackageDefinition): string | undefined {
  const b64 = def.marathon?.v2AppMustacheTemplate;
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}
