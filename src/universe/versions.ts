/**
 * Choosing a revision. The revision number is the ordering key; version strings are matched
 * exactly, and a semver range (`^3.8`, `3.x`) is honoured among the versions that are semver.
 */
import semver from 'semver';
import type { PackageDefinition } from './model.js';

/** Candidates in Cosmos's order: repository priority first, then newest revision first. */
export interface Candidate {
  repoIndex: number;
  definition: PackageDefinition;
}

export function orderCandidates(candidates: Candidate[]): Candidate[] {
  return [...candidates].sort(
    (a, b) => a.repoIndex - b.repoIndex || b.definition.releaseVersion - a.definition.releaseVersion,
  );
}

/**
 * - no version: the newest revision of the highest-priority repository that has the package;
 * - an exact version string: the newest revision carrying it, by repository priority;
 * - otherwise a semver range: in the highest-priority repository with a match, the highest
 *   satisfying version (newest revision on ties).
 */
export function selectRevision(ordered: readonly Candidate[], version?: string): Candidate | undefined {
  if (ordered.length === 0) return undefined;
  if (version === undefined || version === 'latest') return ordered[0];
  const exact = ordered.find((c) => c.definition.version === version);
  if (exact) return exact;
  const range = semver.validRange(version, { loose: false });
  if (!range) return undefined;
  let best: Candidate | undefined;
  for (const c of ordered) {
    if (best && c.repoIndex !== best.repoIndex) break;
    const v = semver.valid(c.definition.version);
    if (!v || !semver.satisfies(v, range)) continue;
    if (!best || semver.gt(v, best.definition.version) ) best = c;
  }
  return best;
}

/** Version strings with their highest revision, newest revision first, duplicates removed. */
export function listVersions(ordered: readonly Candidate[]): Array<{ version: string; releaseVersion: number }> {
  const seen = new Map<string, number>();
  for (const c of ordered) {
    const prev = seen.get(c.definition.version);
    if (prev === undefined || c.definition.releaseVersion > prev) seen.set(c.definition.version, c.definition.releaseVersion);
  }
  return [...seen.entries()].map(([version, releaseVersion]) => ({ version, releaseVersion })).sort((a, b) => b.releaseVersion - a.releaseVersion);
}
