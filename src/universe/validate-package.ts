/**
 * Validation of a package revision's files as Universe defines them (packagingVersion 2.0 to 5.0),
 * written as plain checks so that indexing thousands of revisions stays fast. Problems carry the
 * file and the JSON path.
 */
import { Checker, escapePointer, type Problem } from './json-checks.js';
import { PACKAGING_VERSIONS, type PackagingVersion } from './model.js';
import { validateConfigSchema } from './validate-config-schema.js';
import { parseTemplate, MustacheSyntaxError } from './mustache.js';

export const PACKAGE_NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const VERSION_PATTERN = /^[-a-zA-Z0-9.]+$/;
const DCOS_RELEASE_PATTERN = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*(?:-[^\s]+)?$/;
const TAG_PATTERN = /^[^\s]+$/;

const COMMON_FIELDS = [
  'packagingVersion', 'name', 'version', 'maintainer', 'description', 'tags', 'scm', 'website', 'framework',
  'selected', 'preInstallNotes', 'postInstallNotes', 'postUninstallNotes', 'licenses', 'images',
];
const FIELDS: Record<PackagingVersion, readonly string[]> = {
  '2.0': COMMON_FIELDS,
  '3.0': [...COMMON_FIELDS, 'minDcosReleaseVersion', 'lastUpdated', 'hasKnownIssues'],
  '4.0': [...COMMON_FIELDS, 'minDcosReleaseVersion', 'lastUpdated', 'hasKnownIssues', 'upgradesFrom', 'downgradesTo'],
  '5.0': [
    ...COMMON_FIELDS, 'minDcosReleaseVersion', 'lastUpdated', 'hasKnownIssues', 'upgradesFrom', 'downgradesTo', 'manager',
  ],
};

export function packagingVersionOf(pkg: Record<string, unknown>): PackagingVersion | undefined {
  const v = pkg.packagingVersion ?? '2.0';
  return PACKAGING_VERSIONS.includes(v as PackagingVersion) ? (v as PackagingVersion) : undefined;
}

/**
 * package.json. `extraFields` are allowed on top (a built index adds releaseVersion, marathon,
 * resource, config, command to each entry).
 */
export function validatePackageJson(pkg: unknown, extraFields: readonly string[] = [], base = ''): Problem[] {
  const c = new Checker();
  if (!c.object(pkg, base)) return c.problems;
  const pv = packagingVersionOf(pkg);
  if (!pv) {
    c.add(`${base}/packagingVersion`, `must be one of ${PACKAGING_VERSIONS.map((v) => `"${v}"`).join(', ')}, got ${JSON.stringify(pkg.packagingVersion)}`);
    return c.problems;
  }
  for (const field of ['name', 'version', 'maintainer', 'description', 'tags']) {
    if (pkg[field] === undefined) c.add(`${base}/${field}`, 'is required');
  }
  if (pkg.name !== undefined) c.string(pkg.name, `${base}/name`, PACKAGE_NAME_PATTERN);
  if (pkg.version !== undefined) {
    if (pv === '2.0') c.string(pkg.version, `${base}/version`);
    else c.string(pkg.version, `${base}/version`, VERSION_PATTERN);
  }
  for (const field of ['maintainer', 'description', 'scm', 'website', 'preInstallNotes', 'postInstallNotes', 'postUninstallNotes']) {
    if (pkg[field] !== undefined) c.string(pkg[field], `${base}/${field}`);
  }
  if (pkg.tags !== undefined) c.stringArray(pkg.tags, `${base}/tags`, TAG_PATTERN, 'no whitespace');
  for (const field of ['framework', 'selected', 'hasKnownIssues']) {
    if (pkg[field] !== undefined) c.boolean(pkg[field], `${base}/${field}`);
  }
  if (pkg.lastUpdated !== undefined) c.number(pkg.lastUpdated, `${base}/lastUpdated`);
  if (pkg.minDcosReleaseVersion !== undefined) {
    c.string(pkg.minDcosReleaseVersion, `${base}/minDcosReleaseVersion`, DCOS_RELEASE_PATTERN, 'a dotted release version such as "1.10"');
  }
  for (const field of ['upgradesFrom', 'downgradesTo']) {
    if (pkg[field] !== undefined) c.stringArray(pkg[field], `${base}/${field}`);
  }
  if (Array.isArray(pkg.licenses)) {
    pkg.licenses.forEach((license, i) => {
      const p = `${base}/licenses/${i}`;
      if (!c.object(license, p)) return;
      c.string(license.name, `${p}/name`);
      c.string(license.url, `${p}/url`, /^https?:\/\//, 'an http(s) URL');
    });
  } else if (pkg.licenses !== undefined) {
    c.add(`${base}/licenses`, 'must be an array');
  }
  if (pkg.manager !== undefined && c.object(pkg.manager, `${base}/manager`)) {
    c.string(pkg.manager.packageName, `${base}/manager/packageName`, PACKAGE_NAME_PATTERN);
  }
  c.known(pkg, base, [...FIELDS[pv], ...extraFields], ` (not allowed in packagingVersion ${pv})`);
  return c.problems;
}

/** resource.json (v2 schema for packagingVersion 2.0, v3 with `cli` from 3.0 on). */
export function validateResource(resource: unknown, pv: PackagingVersion, base = ''): Problem[] {
  const c = new Checker();
  if (!c.object(resource, base)) return c.problems;
  const allowed = pv === '2.0' ? ['assets', 'images'] : ['assets', 'images', 'cli'];
  c.known(resource, base, allowed, pv === '2.0' ? ' (cli needs packagingVersion 3.0 or later)' : '');
  const assets = resource.assets;
  if (assets !== undefined && c.object(assets, `${base}/assets`)) {
    if (assets.uris !== undefined) c.stringMap(assets.uris, `${base}/assets/uris`);
    if (assets.container !== undefined && c.object(assets.container, `${base}/assets/container`)) {
      if (assets.container.docker !== undefined) c.stringMap(assets.container.docker, `${base}/assets/container/docker`);
    }
  }
  const images = resource.images;
  if (images !== undefined && c.object(images, `${base}/images`)) {
    for (const key of ['icon-small', 'icon-medium', 'icon-large']) {
      if (images[key] !== undefined) c.string(images[key], `${base}/images/${key}`);
    }
    if (images.screenshots !== undefined) c.stringArray(images.screenshots, `${base}/images/screenshots`);
  }
  if (resource.cli !== undefined && pv !== '2.0') validateCli(c, resource.cli, `${base}/cli`);
  return c.problems;
}

function validateCli(c: Checker, cli: unknown, path: string): void {
  if (!c.object(cli, path)) return;
  if (!c.object(cli.binaries, `${path}/binaries`)) return;
  for (const [os, arches] of Object.entries(cli.binaries)) {
    const osPath = `${path}/binaries/${escapePointer(os)}`;
    if (!c.object(arches, osPath)) continue;
    for (const [arch, binary] of Object.entries(arches)) {
      const p = `${osPath}/${escapePointer(arch)}`;
      if (!c.object(binary, p)) continue;
      if (binary.kind !== 'executable' && binary.kind !== 'zip') c.add(`${p}/kind`, 'must be "executable" or "zip"');
      c.string(binary.url, `${p}/url`, /^https?:\/\//, 'an http(s) URL');
      if (!Array.isArray(binary.contentHash) || binary.contentHash.length === 0) {
        c.add(`${p}/contentHash`, 'must be a non-empty array of {algo, value}');
        continue;
      }
      binary.contentHash.forEach((hash: unknown, i: number) => {
        if (!c.object(hash, `${p}/contentHash/${i}`)) return;
        if (hash.algo !== 'sha256') c.add(`${p}/contentHash/${i}/algo`, 'must be "sha256"');
        c.string(hash.value, `${p}/contentHash/${i}/value`);
      });
    }
  }
}

/** command.json: the legacy pip CLI, allowed up to 3.0 and forbidden from 4.0 on. */
export function validateCommand(command: unknown, pv: PackagingVersion, base = ''): Problem[] {
  const c = new Checker();
  if (pv === '4.0' || pv === '5.0') {
    c.add(base, `command.json is not allowed in packagingVersion ${pv}`);
    return c.problems;
  }
  if (!c.object(command, base)) return c.problems;
  if (command.pip !== undefined) c.stringArray(command.pip, `${base}/pip`);
  return c.problems;
}

/** The Mustache template must parse; whether it renders to JSON depends on the options. */
export function validateTemplate(template: string): Problem[] {
  try {
    parseTemplate(template);
    return [];
  } catch (err) {
    if (err instanceof MustacheSyntaxError) return [{ path: `line ${err.line}, column ${err.column}`, message: err.message }];
    throw err;
  }
}

export { validateConfigSchema };
