/**
 * A built repository index (`{"packages": [...]}`, as Universe publishes it) from a local file or an
 * http(s) URL. The index is parsed once per change and split into a small search summary plus one
 * file per package, so a search never parses the whole index again.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DcosError } from '../../core/errors.js';
import { readCache, repoCacheDir, writeCache } from '../cache-files.js';
import type { BrokenRevision, PackageDefinition, RepositoryRef } from '../model.js';
import { summarize } from '../summarize.js';
import type { PackageRevisions, RepoIndex, RepositorySource } from './source.js';

const FORMAT = 1;

interface CachedIndex extends RepoIndex {
  format: number;
  fingerprint: string;
}

export interface IndexFileOptions {
  cacheRoot: string;
  ttlSeconds: number;
  timeoutSeconds: number;
  now: () => number;
  warn: (message: string) => void;
  signal?: AbortSignal;
}

export class IndexFileSource implements RepositorySource {
  readonly sourceUri: string;
  private readonly location: string;
  private readonly remote: boolean;
  private readonly cacheDir: string;
  private loaded?: Promise<RepoIndex>;

  constructor(
    readonly ref: RepositoryRef,
    location: string,
    private readonly opts: IndexFileOptions,
  ) {
    this.remote = /^https?:\/\//i.test(location);
    this.location = this.remote ? location : resolve(location);
    this.sourceUri = this.remote ? location : pathToFileURL(this.location).href;
    this.cacheDir = repoCacheDir(opts.cacheRoot, this.location);
  }

  /** Read once per command: search, describe and install all ask for it, some more than once. */
  index(): Promise<RepoIndex> {
    return (this.loaded ??= this.load());
  }

  private async load(): Promise<RepoIndex> {
    const indexFile = join(this.cacheDir, 'index.json');
    if (!this.remote) {
      const fingerprint = this.fileFingerprint();
      const cached = readCache<CachedIndex>(indexFile, FORMAT);
      if (cached?.fingerprint === fingerprint) return cached;
      return this.rebuild(readFileSync(this.location, 'utf8'), fingerprint);
    }
    const { fetchCached } = await import('../http-cache.js');
    const download = await fetchCached({
      url: this.location,
      cacheDir: this.cacheDir,
      ttlSeconds: this.opts.ttlSeconds,
      timeoutSeconds: this.opts.timeoutSeconds,
      repoName: this.ref.name,
      now: this.opts.now(),
      warn: this.opts.warn,
      signal: this.opts.signal,
    });
    const cached = readCache<CachedIndex>(indexFile, FORMAT);
    if (cached?.fingerprint === download.version) return cached;
    return this.rebuild(download.readBody(), download.version);
  }

  private fileFingerprint(): string {
    try {
      const s = statSync(this.location);
      return `${s.mtimeMs}:${s.size}`;
    } catch (err) {
      throw new DcosError('EREPO', `Repository [${this.ref.name}]: cannot read index file ${this.location}`, {
        hint: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'The file does not exist.' : undefined,
        cause: err,
      });
    }
  }

  private async rebuild(text: string, fingerprint: string): Promise<RepoIndex> {
    const { validateIndexEntry } = await import('../read-revision.js');
    const label = this.location;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DcosError('EREPO_INVALID', `Repository [${this.ref.name}]: ${label} is not valid JSON`, {
        details: [{ message: (err as Error).message }],
      });
    }
    const entries = (parsed as { packages?: unknown })?.packages;
    if (!Array.isArray(entries)) {
      throw new DcosError('EREPO_INVALID', `Repository [${this.ref.name}]: ${label} is not a package index`, {
        hint: 'A repository index is a JSON object {"packages": [...]}, as "dcos package repo index" writes it.',
      });
    }
    const byName = new Map<string, PackageDefinition[]>();
    const broken: BrokenRevision[] = [];
    entries.forEach((entry, i) => {
      const result = validateIndexEntry(entry, i, label);
      if (!result.ok) {
        broken.push(result.broken);
        return;
      }
      const list = byName.get(result.definition.name) ?? [];
      list.push(result.definition);
      byName.set(result.definition.name, list);
    });
    const index: CachedIndex = { format: FORMAT, fingerprint, packages: {}, broken };
    for (const [name, definitions] of byName) {
      definitions.sort((a, b) => b.releaseVersion - a.releaseVersion);
      const summary = summarize(definitions);
      if (summary) index.packages[name] = summary;
      writeCache(this.packageFile(name), { format: FORMAT, fingerprint, definitions });
    }
    writeCache(join(this.cacheDir, 'index.json'), index);
    return index;
  }

  private packageFile(name: string): string {
    return join(this.cacheDir, 'packages', `${name}.json`);
  }

  async revisions(name: string): Promise<PackageRevisions> {
    const index = (await this.index()) as CachedIndex;
    if (!index.packages[name]) return { definitions: [], broken: index.broken.filter((b) => b.name === name) };
    const cached = readCache<{ fingerprint: string; definitions: PackageDefinition[] }>(this.packageFile(name), FORMAT);
    if (cached && cached.fingerprint === index.fingerprint) {
      return { definitions: cached.definitions, broken: index.broken.filter((b) => b.name === name) };
    }
    // The split files went missing (cache cleaned by hand): rebuild them from the index.
    const file = this.remote ? (await import('../http-cache.js')).downloadFile(this.cacheDir) : this.location;
    const body = readFileSync(file, 'utf8');
    await this.rebuild(body, index.fingerprint);
    const again = readCache<{ definitions: PackageDefinition[] }>(this.packageFile(name), FORMAT);
    return { definitions: again?.definitions ?? [], broken: index.broken.filter((b) => b.name === name) };
  }
}
