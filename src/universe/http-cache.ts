/**
 * Downloads a repository index over http(s) with an on-disk cache: a copy younger than the TTL is
 * used as is; an older one is revalidated with ETag / Last-Modified; when the server cannot be
 * reached the cached copy is used with a warning, and without one the error says what failed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DcosError, InterruptedError } from '../core/errors.js';
import { loadUndici } from '../core/undici.js';
import { VERSION } from '../core/version.js';
import { readCache, writeCache } from './cache-files.js';
import { writeFileAtomic } from '../core/atomic-file.js';

const FORMAT = 1;

interface DownloadMeta {
  format: number;
  url: string;
  etag?: string;
  lastModified?: string;
  fetchedAt: number;
  /** Changes whenever the body changes; derived indexes are keyed by it. */
  version: string;
}

export interface Download {
  /** The index text; read from the cache only when asked (a fresh derived index does not need it). */
  readBody(): string;
  version: string;
  fromCache: boolean;
}

export interface FetchOptions {
  url: string;
  cacheDir: string;
  ttlSeconds: number;
  timeoutSeconds: number;
  repoName: string;
  now: number;
  warn: (message: string) => void;
  /** Aborted on Ctrl-C: the request stops and the command ends as interrupted. */
  signal?: AbortSignal;
}

const ACCEPT = [5, 4, 3].map((v) => `application/vnd.dcos.universe.repo+json;charset=utf-8;version=v${v}`).join(',') + ',application/json;q=0.9,*/*;q=0.8';

/** Where the last downloaded index text is kept. */
export function downloadFile(cacheDir: string): string {
  return join(cacheDir, 'download.json');
}

export async function fetchCached(opts: FetchOptions): Promise<Download> {
  const metaFile = join(opts.cacheDir, 'download-meta.json');
  const bodyFile = downloadFile(opts.cacheDir);
  const meta = readCache<DownloadMeta>(metaFile, FORMAT);
  const fromCache = (m: DownloadMeta): Download => ({ readBody: () => readFileSync(bodyFile, 'utf8'), version: m.version, fromCache: true });
  const cached = meta && meta.url === opts.url && existsSync(bodyFile) ? meta : undefined;
  if (cached && opts.now - cached.fetchedAt < opts.ttlSeconds * 1000) {
    return fromCache(cached);
  }

  const headers: Record<string, string> = { accept: ACCEPT, 'user-agent': `dcos-cli/${VERSION} dcos/2.2` };
  if (cached?.etag) headers['if-none-match'] = cached.etag;
  if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;

  let response: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: string };
  try {
    response = await httpGet(opts.url, headers, opts.timeoutSeconds, opts.signal);
  } catch (err) {
    if (opts.signal?.aborted) throw new InterruptedError();
    if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG') throw err;
    const reason = networkReason(err);
    if (cached) {
      const age = Math.round((opts.now - cached.fetchedAt) / 60000);
      opts.warn(`Could not reach repository [${opts.repoName}] at ${opts.url} (${reason}); using the copy cached ${age} minute(s) ago`);
      return fromCache(cached);
    }
    throw new DcosError('EREPO_UNREACHABLE', `Could not access data at URI for repository [${opts.repoName}]: ${opts.url}`, {
      hint: `The request failed: ${reason}. Check the URL with "dcos package repo list", or remove the repository.`,
      cause: err,
    });
  }

  if (response.statusCode === 304 && cached) {
    writeCache(metaFile, { ...cached, fetchedAt: opts.now });
    return fromCache(cached);
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    const reason = `HTTP ${response.statusCode}`;
    if (cached) {
      opts.warn(`Repository [${opts.repoName}] at ${opts.url} answered ${reason}; using the cached copy`);
      return fromCache(cached);
    }
    throw new DcosError('EREPO_UNREACHABLE', `Could not access data at URI for repository [${opts.repoName}]: ${opts.url}`, {
      hint: `The server answered ${reason}.`,
    });
  }

  const header = (name: string) => {
    const v = response.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const version = createHash('sha256').update(response.body).digest('hex').slice(0, 16);
  writeFileAtomic(bodyFile, response.body);
  writeCache(metaFile, {
    format: FORMAT,
    url: opts.url,
    etag: header('etag'),
    lastModified: header('last-modified'),
    fetchedAt: opts.now,
    version,
  } satisfies DownloadMeta);
  return { readBody: () => response.body, version, fromCache: false };
}

async function httpGet(url: string, headers: Record<string, string>, timeoutSeconds: number, signal?: AbortSignal) {
  const mod = await loadUndici();
  const request = mod.request;
  const dispatcher = new mod.Agent({ headersTimeout: timeoutSeconds * 1000, bodyTimeout: timeoutSeconds * 1000 }).compose(
    mod.interceptors.redirect({ maxRedirections: 5 }),
  );
  const res = await request(url, { method: 'GET', headers, dispatcher, signal });
  const body = await res.body.text();
  return { statusCode: res.statusCode, headers: res.headers as Record<string, string | string[] | undefined>, body };
}

/** A plain reason for a network failure, never undici's internals. */
export function networkReason(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed by the server';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timed out';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `TLS certificate not trusted (${code})`;
    default:
      if (code?.startsWith('UND_ERR')) return 'network error';
      return code ? code.toLowerCase() : (e?.message ?? 'unknown error');
  }
}
