/**
 * Reads one revision directory (`packages/<L>/<name>/<rev>/`) into a package definition in the
 * built-index form, validating every file; or says what is wrong, file by file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nestedTooDeep, TOO_DEEP } from '../core/json-checks.js';
import { parseJsonText, type Problem } from './json-checks.js';
import type { BrokenRevision, PackageDefinition, PackagingVersion } from './model.js';
import {
  packagingVersionOf,
  validateCommand,
  validateConfigSchema,
  validatePackageJson,
  validateResource,
  validateTemplate,
} from './validate-package.js';

export type RevisionResult = { ok: true; definition: PackageDefinition } | { ok: false; broken: BrokenRevision };

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * @param dir the revision directory
 * @param name the package directory's name (must equal package.json's name)
 * @param revision the revision number (the directory's name)
 * @param displayDir how to name the directory in messages (relative to the repository)
 */
export function readRevision(dir: string, name: string, revision: number, displayDir: string): RevisionResult {
  const broken = (file: string, problems: Problem[]): RevisionResult => ({
    ok: false,
    broken: { name, releaseVersion: revision, file: `${displayDir}/${file}`, problems },
  });

  const pkgText = readOptional(join(dir, 'package.json'));
  if (pkgText === undefined) return broken('package.json', [{ path: '/', message: 'is missing' }]);
  const pkgParsed = parseJsonText(pkgText);
  if (pkgParsed.error) return broken('package.json', [{ path: '/', message: pkgParsed.error }]);
  const pkg = pkgParsed.value as Record<string, unknown>;
  const pkgProblems = validatePackageJson(pkg);
  if (pkgProblems.length) return broken('package.json', pkgProblems);
  if (pkg.name !== name) {
    return broken('package.json', [{ path: '/name', message: `"${String(pkg.name)}" does not match the directory name "${name}"` }]);
  }
  const pv = packagingVersionOf(pkg) as PackagingVersion;
  const definition: PackageDefinition = { ...(pkg as object), packagingVersion: pv, releaseVersion: revision } as PackageDefinition;

  const json = (file: string, validate: (value: unknown) => Problem[]): { value?: unknown; failed?: RevisionResult } => {
    const text = readOptional(join(dir, file));
    if (text === undefined) return {};
    const parsed = parseJsonText(text);
    if (parsed.error) return { failed: broken(file, [{ path: '/', message: parsed.error }]) };
    const problems = validate(parsed.value);
    return problems.length ? { failed: broken(file, problems) } : { value: parsed.value };
  };

  const config = json('config.json', (v) => validateConfigSchema(v));
  if (config.failed) return config.failed;
  if (config.value !== undefined) definition.config = config.value as Record<string, unknown>;

  const resource = json('resource.json', (v) => validateResource(v, pv));
  if (resource.failed) return resource.failed;
  if (resource.value !== undefined) definition.resource = resource.value as PackageDefinition['resource'];

  const command = json('command.json', (v) => validateCommand(v, pv));
  if (command.failed) return command.failed;
  if (command.value !== undefined) definition.command = command.value as PackageDefinition['command'];

  const template = readOptional(join(dir, 'marathon.json.mustache'));
  if (template === undefined) {
    if (pv === '2.0') return broken('marathon.json.mustache', [{ path: '/', message: 'is required in packagingVersion 2.0' }]);
  } else {
    const problems = validateTemplate(template);
    if (problems.length) return broken('marathon.json.mustache', problems);
    definition.marathon = { v2AppMustacheTemplate: Buffer.from(template, 'utf8').toString('base64') };
  }
  return { ok: true, definition };
}

/** Validates one entry of a built index (`{"packages": [...]}`); `index` names it in messages. */
export function validateIndexEntry(entry: unknown, index: number, file: string): RevisionResult {
  const base = `/packages/${index}`;
  const e = (entry ?? {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name : `#${index}`;
  const release = typeof e.releaseVersion === 'number' ? e.releaseVersion : null;
  const fail = (problems: Problem[]): RevisionResult => ({ ok: false, broken: { name, releaseVersion: release, file, problems } });

  if (nestedTooDeep(entry)) return fail([{ path: base, message: TOO_DEEP }]);
  const problems = validatePackageJson(entry, ['releaseVersion', 'marathon', 'resource', 'config', 'command'], base);
  if (problems.length) return fail(problems);
  if (!(Number.isInteger(e.releaseVersion) && (e.releaseVersion as number) >= 0)) {
    return fail([{ path: `${base}/releaseVersion`, message: 'must be a non-negative integer' }]);
  }
  const pv = packagingVersionOf(e) as PackagingVersion;
  if (e.config !== undefined) problems.push(...validateConfigSchema(e.config, `${base}/config`));
  if (e.resource !== undefined) problems.push(...validateResource(e.resource, pv, `${base}/resource`));
  if (e.command !== undefined && Object.keys(e.command as object).length > 0) {
    problems.push(...validateCommand(e.command, pv, `${base}/command`));
  }
  const marathon = e.marathon as Record<string, unknown> | undefined;
  if (marathon !== undefined) {
    if (typeof marathon?.v2AppMustacheTemplate !== 'string') {
      problems.push({ path: `${base}/marathon/v2AppMustacheTemplate`, message: 'must be a base64 string' });
    } else {
      const text = Buffer.from(marathon.v2AppMustacheTemplate, 'base64').toString('utf8');
      for (const p of validateTemplate(text)) problems.push({ path: `${base}/marathon/v2AppMustacheTemplate (${p.path})`, message: p.message });
    }
  } else if (pv === '2.0') {
    problems.push({ path: `${base}/marathon`, message: 'is required in packagingVersion 2.0' });
  }
  if (problems.length) return fail(problems);
  return { ok: true, definition: { ...(e as object), packagingVersion: pv } as PackageDefinition };
}
