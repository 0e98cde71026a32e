/** Builds the search summary of a package from its valid revisions. */
import type { PackageDefinition, PackageSummary } from './model.js';

export function summarize(definitions: readonly PackageDefinition[]): PackageSummary | null {
  if (definitions.length === 0) return null;
  const sorted = [...definitions].sort((a, b) => b.releaseVersion - a.releaseVersion);
  const latest = sorted[0];
  const images = latest.resource?.images;
  return {
    name: latest.name,
    currentVersion: latest.version,
    releaseVersion: latest.releaseVersion,
    description: latest.description,
    tags: latest.tags,
    selected: latest.selected === true,
    framework: latest.framework === true,
    ...(images ? { images } : {}),
    revisions: sorted.map((d) => ({ releaseVersion: d.releaseVersion, version: d.version })),
  };
}
