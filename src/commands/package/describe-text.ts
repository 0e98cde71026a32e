/** The human view of `dcos package describe`. */
import type { ResolvedPackage } from '../../universe/model.js';
import { flattenOptions } from '../../universe/options-listing.js';

export function formatDescription(pkg: ResolvedPackage, versions: Array<{ version: string; releaseVersion: number }>): string {
  const def = pkg.definition;
  const out: string[] = [];
  const field = (label: string, value: unknown) => {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    out.push(`${(label + ':').padEnd(15)}${Array.isArray(value) ? value.join(', ') : String(value)}`);
  };
  out.push(`${def.name} ${def.version}`);
  out.push('');
  out.push(def.description);
  out.push('');
  field('Revision', def.releaseVersion);
  field('Repository', pkg.repository.name);
  field('Maintainer', def.maintainer);
  field('Website', def.website);
  field('Tags', def.tags);
  field('Certified', def.selected ? 'yes' : 'no');
  field('Framework', def.framework ? 'yes' : 'no');
  field('Packaging', def.packagingVersion);
  field('Versions', versions.map((v) => v.version));
  field('Upgrades from', def.upgradesFrom);
  field('Downgrades to', def.downgradesTo);
  // package.json's licenses: objects with a name, as validate-package checks.
  field('Licenses', ((def.licenses as Array<{ name: string }> | undefined) ?? []).map((l) => l.name));
  if (def.preInstallNotes) out.push('', 'Pre-install notes:', indent(def.preInstallNotes));
  if (def.postInstallNotes) out.push('', 'Post-install notes:', indent(def.postInstallNotes));
  if (def.config) {
    const options = flattenOptions(def.config);
    out.push('', `Options (${options.length}; details: dcos package describe ${def.name} --config):`);
    for (const o of options) out.push(`  ${o.path} = ${o.defaultText || '(no default)'}`);
  } else {
    out.push('', 'Options: none');
  }
  if (pkg.template === undefined) out.push('', 'This package has no Marathon app (a CLI-only package).');
  return out.join('\n') + '\n';
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
