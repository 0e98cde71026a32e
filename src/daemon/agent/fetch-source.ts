/**
 * Getting the bytes of one fetch URI into a local file: http(s) through undici, `file://` URLs
 * and absolute paths by copy. The sha256 is computed on the way, for checksum verification.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import { FetchError } from './fetch-error.js';
import { loadUndici } from '../../core/undici.js';

export type SourceKind = 'http' | 'file';

export interface ParsedSource {
  kind: SourceKind;
  /** The URL to request, or the local path to copy. */
  location: string;
  /** Last path segment, URL-decoded, without query or fragment. */
  basename: string;
  /** From a `#sha256=<hex>` or `#sha512=<hex>` fragment (the hex lower-cased). */
  fragmentDigest: Digest | null;
}

/** A checksum: sha256, or sha512 as Apache and most projects publish. */
export interface Digest {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

const HEX_LENGTH: Record<Digest['algorithm'], number> = { sha256: 64, sha512: 128 };

/** `sha256:<hex>` / `sha512:<hex>` (a fetch entry's `checksum`), or null when it is not one. */
export function parseDigest(text: string, separator: ':' | '='): Digest | null {
  const match = new RegExp(`^(sha256|sha512)${separator}([0-9a-fA-F]+)$`).exec(text.trim());
  if (!match) return null;
  const algorithm = match[1] as Digest['algorithm'];
  return match[2].length === HEX_LENGTH[algorithm] ? { algorithm, hex: match[2].toLowerCase() } : null;
}

export function parseSource(uri: string): ParsedSource {
  if (uri.startsWith('/')) {
    const fragmentDigest = fragmentOf(uri);
    const local = fragmentDigest ? uri.slice(0, uri.lastIndexOf('#')) : uri;
    return { kind: 'file', location: local, basename: path.posix.basename(local), fragmentDigest };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new FetchError(`Cannot fetch ${uri}: not a URL or an absolute path`, uri, { permanent: true });
  }
  const fragmentDigest = fragmentOf(uri);
  url.hash = '';
  const segments = url.pathname.split('/');
  let basename = segments[segments.length - 1] ?? '';
  try {
    basename = decodeURIComponent(basename);
  } catch {
    // keep it encoded if it is not valid percent-encoding
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    return { kind: 'http', location: url.toString(), basename, fragmentDigest };
  }
  if (url.protocol === 'file:') {
    let local: string;
    try {
      local = fileURLToPath(url);
    } catch (err) {
      throw new FetchError(`Cannot fetch ${uri}: ${(err as Error).message}`, uri);
    }
    return { kind: 'file', location: local, basename, fragmentDigest };
  }
  throw new FetchError(`Cannot fetch ${uri}: unsupported scheme "${url.protocol.replace(/:$/, '')}"`, uri, { permanent: true });
}

function fragmentOf(uri: string): Digest | null {
  const hash = uri.lastIndexOf('#');
  return hash < 0 ? null : parseDigest(uri.slice(hash + 1), '=');
}

export interface RetrieveContext {
  dispatcher: () => Promise<Dispatcher>;
  signal: AbortSignal;
  timeoutSeconds: number;
}

/** Writes the source to `dest` (created or truncated); resolves to the hex digest of the bytes. */
export async function retrieve(uri: string, source: ParsedSource, dest: string, ctx: RetrieveContext, algorithm: Digest['algorithm'] = 'sha256'): Promise<string> {
  if (source.kind === 'file') return copyLocal(uri, source.location, dest, ctx.signal, algorithm);
  return download(uri, source.location, dest, ctx, algorithm);
}

async function copyLocal(uri: string, file: string, dest: string, signal: AbortSignal, algorithm: Digest['algorithm']): Promise<string> {
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new FetchError(`Failed to fetch ${uri}: not a regular file`, uri);
    return await hashInto(createReadStream(file), dest, signal, algorithm);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError(`Failed to fetch ${uri}: ${describeError(err, signal)}`, uri, { cause: err });
  }
}

async function download(uri: string, url: string, dest: string, ctx: RetrieveContext, algorithm: Digest['algorithm']): Promise<string> {
  const undici = await loadUndici();
  try {
    const response = await undici.request(url, {
      method: 'GET',
      dispatcher: await ctx.dispatcher(),
      signal: ctx.signal,
      headers: { 'user-agent': 'dcos-fetcher' },
    });
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump().catch(() => {});
      const reason = STATUS_TEXT[response.statusCode] ?? '';
      throw new FetchError(`Failed to fetch ${uri}: HTTP ${response.statusCode}${reason ? ` ${reason}` : ''}`, uri);
    }
    return await hashInto(response.body, dest, ctx.signal, algorithm);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    throw new FetchError(`Failed to fetch ${uri}: ${describeError(err, ctx.signal, ctx.timeoutSeconds)}`, uri, {
      cause: err,
    });
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

async function hashInto(input: Readable, dest: string, signal: AbortSignal, algorithm: Digest['algorithm']): Promise<string> {
  const hash = createHash(algorithm);
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(input, tap, createWriteStream(dest), { signal });
  return hash.digest('hex');
}

const ERROR_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOENT: 'not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response (timed out)',
  UND_ERR_BODY_TIMEOUT: 'download stalled (timed out)',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_MAX_REDIRECTIONS: 'too many redirects',
  UND_ERR_INVALID_URL: 'invalid URL',
};

/** A short reason for a network or file error. */
function describeError(err: unknown, signal: AbortSignal, timeoutSeconds?: number): string {
  if (signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError') {
    return `timed out after ${timeoutSeconds ?? '?'} s`;
  }
  const code = errorCode(err);
  if (code && ERROR_TEXT[code]) return ERROR_TEXT[code];
  return err instanceof Error ? err.message : String(err);
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string') return e.code;
  // net's happy-eyeballs reports an AggregateError; undici may wrap the socket error as cause.
  if (Array.isArray(e.errors) && e.errors.length > 0) return errorCode(e.errors[0]);
  return e.cause ? errorCode(e.cause) : undefined;
}
