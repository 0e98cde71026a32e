/**
 * Configuration: flag > environment (DCOS_*) > config file (dcos.toml in the config dir) > default.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { CONFIG_KEYS, findConfigKey, type ConfigKey } from './config-keys.js';
import { DcosError, UsageError } from './errors.js';
import { didYouMean } from './suggest.js';
import { parseToml, stringifyToml, type TomlDocument, type TomlValue } from './toml.js';
import { writeFileAtomic } from './atomic-file.js';

export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

export interface ResolvedValue {
  key: string;
  value: TomlValue | undefined;
  source: ConfigSource | undefined;
}

export class Config {
  private doc: TomlDocument | undefined;
  readonly file: string;

  constructor(
    configDir: string,
    private readonly env: Record<string, string | undefined>,
    private readonly flags: Record<string, TomlValue | undefined> = {},
    /** Relative paths in values (a CA bundle) are taken from here. */
    private readonly cwd: string = process.cwd(),
  ) {
    this.file = join(configDir, 'dcos.toml');
  }

  private load(): TomlDocument {
    if (!this.doc) {
      this.doc = existsSync(this.file) ? parseToml(readFileSync(this.file, 'utf8'), this.file) : {};
    }
    return this.doc;
  }

  /** The value stored in the file, ignoring environment and flags. */
  fileValue(key: string): TomlValue | undefined {
    const [section, name] = splitKey(key);
    return this.load()[section]?.[name];
  }

  resolve(key: string): ResolvedValue {
    const spec = findConfigKey(key);
    const flag = this.flags[key];
    if (flag !== undefined) return { key, value: flag, source: 'flag' };
    if (spec) {
      const fromEnv = this.env[spec.env];
      if (fromEnv !== undefined && fromEnv !== '') return { key, value: coerce(spec, fromEnv, `${spec.env} (environment)`, this.cwd), source: 'env' };
    }
    const stored = this.fileValue(key);
    if (stored !== undefined) return { key, value: stored, source: 'file' };
    if (spec?.default !== undefined) return { key, value: spec.default, source: 'default' };
    return { key, value: undefined, source: undefined };
  }

  get(key: string): TomlValue | undefined {
    return this.resolve(key).value;
  }

  getString(key: string): string | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : String(v);
  }

  getNumber(key: string): number | undefined {
    const v = this.get(key);
    return typeof v === 'number' ? v : v === undefined ? undefined : Number(v);
  }

  getBoolean(key: string): boolean | undefined {
    const v = this.get(key);
    return typeof v === 'boolean' ? v : v === undefined ? undefined : String(v) === 'true';
  }

  /** Every key with a value from any source, plus the known keys. */
  keys(): string[] {
    const doc = this.load();
    const keys = new Set(CONFIG_KEYS.map((k) => k.key));
    for (const [section, values] of Object.entries(doc)) for (const name of Object.keys(values)) keys.add(`${section}.${name}`);
    return [...keys].sort();
  }

  set(key: string, raw: string): TomlValue {
    const spec = requireKnownKey(key);
    const value = coerce(spec, raw, key, this.cwd);
    const [section, name] = splitKey(key);
    const doc = this.load();
    (doc[section] ??= {})[name] = value;
    this.save();
    return value;
  }

  /** Sets several keys in one write (attaching a cluster sets URL and token together). */
  setMany(values: Record<string, TomlValue | undefined>): void {
    const doc = this.load();
    for (const [key, value] of Object.entries(values)) {
      const [section, name] = splitKey(key);
      if (value === undefined) delete doc[section]?.[name];
      else (doc[section] ??= {})[name] = value;
    }
    this.save();
  }

  unset(key: string): void {
    const [section, name] = splitKey(key);
    const doc = this.load();
    if (doc[section]?.[name] === undefined) {
      throw new DcosError('ECONFIG_UNSET', `Property "${key}" is not set in ${this.file}`, {
        hint: findConfigKey(key) ? undefined : didYouMean(key, CONFIG_KEYS.map((k) => k.key)),
      });
    }
    delete doc[section][name];
    if (Object.keys(doc[section]).length === 0) delete doc[section];
    this.save();
  }

  private save(): void {
    // The file may hold a cluster token: only its owner may read it.
    writeFileAtomic(this.file, stringifyToml(this.load()), 0o600);
  }
}

function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  if (dot <= 0 || dot === key.length - 1) {
    throw new UsageError(`Invalid config key "${key}": expected <section>.<name>, for example core.dcos_url`);
  }
  return [key.slice(0, dot), key.slice(dot + 1)];
}

export function requireKnownKey(key: string): ConfigKey {
  splitKey(key);
  const spec = findConfigKey(key);
  if (!spec) {
    throw new UsageError(`Unknown config key "${key}"`, {
      hint: didYouMean(key, CONFIG_KEYS.map((k) => k.key)) ?? 'Run "dcos config list" to see every key.',
    });
  }
  return spec;
}

function coerce(spec: ConfigKey, raw: string, where: string, cwd: string): TomlValue {
  switch (spec.type) {
    case 'boolean':
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new UsageError(`Invalid value "${raw}" for ${where}: use true or false`);
    case 'integer':
      if (!/^\d+$/.test(raw)) throw new UsageError(`Invalid value "${raw}" for ${where}: "${raw}" is not a non-negative integer`);
      return Number(raw);
    case 'url':
      if (!/^https?:\/\/[^\s]+$/.test(raw)) throw new UsageError(`Invalid value "${raw}" for ${where}: not an http(s) URL`);
      return raw.replace(/\/+$/, '');
    case 'tls': {
      if (/^(true|false)$/i.test(raw)) return raw.toLowerCase();
      // Anything else names a CA bundle: it must be a file that exists, kept as an absolute path
      // so that it means the same file from any directory.
      const path = resolvePath(cwd, raw);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat?.isFile()) throw new UsageError(`Invalid value "${raw}" for ${where}: use true, false, or the path of a CA bundle file (${path} ${stat ? 'is not a file' : 'does not exist'})`);
      return path;
    }
    case 'mirror': {
      if (/^https?:\/\//i.test(raw)) {
        if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i.test(raw)) throw new UsageError(`Invalid value "${raw}" for ${where}: ${spec.key} must be an existing directory or an http(s) base URL (no query or fragment)`);
        return raw.replace(/\/+$/, '');
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new UsageError(`Invalid value "${raw}" for ${where}: ${spec.key} must be an existing directory or an http(s) base URL`);
      // A directory, kept absolute so that it means the same place from any directory.
      const dir = resolvePath(cwd, raw);
      const stat = statSync(dir, { throwIfNoEntry: false });
      if (!stat?.isDirectory()) throw new UsageError(`Invalid value "${raw}" for ${where}: ${spec.key} must be an existing directory or an http(s) base URL (${dir} ${stat ? 'is not a directory' : 'does not exist'})`);
      return dir;
    }
    case 'enum':
      if (!spec.values?.includes(raw)) {
        throw new UsageError(`Invalid value "${raw}" for ${where}: must be one of ${spec.values?.join(', ')}`);
      }
      return raw;
    default:
      return raw;
  }
}
