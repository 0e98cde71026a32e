/**
 * A small JSON-over-HTTP client for cluster APIs (node:http, loaded with Node itself, so talking to
 * a cluster costs no start-up time). Network failures become plain messages, never a stack.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';

/** The CA bundle's contents; a file that cannot be read is the user's to fix, not a bug. */
// Read once per process: `task log --follow` and the watches send a request every few hundred ms.
const caBundles = new Map<string, Buffer>();

function readCa(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  const known = caBundles.get(file);
  if (known) return known;
  try {
    const ca = readFileSync(file);
    caBundles.set(file, ca);
    return ca;
  } catch (err) {
    throw new DcosError('ECA_CERT', `Cannot read the CA bundle ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      hint: 'Give an existing PEM file with --ca-cert (dcos cluster setup) or core.ssl_verify.',
    });
  }
}
import { DcosError, InterruptedError } from '../core/errors.js';

export interface ClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8080 or https://dcos.example.com. */
  url: string;
  token?: string;
  timeoutSeconds?: number;
  /** Verify TLS certificates (default true); a CA bundle path adds trust. */
  insecure?: boolean;
  caCert?: string;
  signal?: AbortSignal;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = unknown>(): T;
}

export class HttpClient {
  constructor(readonly opts: ClientOptions) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const { url, send, tls, auth } = await prepare(this.opts, path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const allHeaders: Record<string, string> = { accept: 'application/json', ...headers };
    if (payload !== undefined) allHeaders['content-type'] = 'application/json';
    Object.assign(allHeaders, auth);
    return new Promise<Response>((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          headers: allHeaders,
          timeout: (this.opts.timeoutSeconds ?? 180) * 1000,
          signal: this.opts.signal,
          ...tls,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json<T>() {
                try {
                  return JSON.parse(text) as T;
                } catch {
                  throw new DcosError('ECLUSTER_RESPONSE', `The cluster at ${this.url} answered ${method} ${path} with something that is not JSON`, {
                    details: [{ message: text.slice(0, 200) }],
                  });
                }
              },
              url: url.href,
            } as Response & { url: string });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => {
        if (this.opts.signal?.aborted) reject(new InterruptedError());
        else reject(networkError(this.opts.url, err));
      });
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

/** What every request to the cluster shares: its URL, the module that sends it, TLS options, the token. */
async function prepare(opts: ClientOptions, path: string) {
  const url = new URL(path.replace(/^\//, ''), opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
  const isHttps = url.protocol === 'https:';
  // node:https pulls in TLS: load it only for https clusters (the local one is plain http).
  const send = isHttps ? (await import('node:https')).request : httpRequest;
  const tls = isHttps ? { rejectUnauthorized: !opts.insecure, ca: readCa(opts.caCert) } : {};
  const auth: Record<string, string> = opts.token ? { authorization: `token=${opts.token}` } : {};
  return { url, send, tls, auth };
}

/** Opens a long-lived GET (Server-Sent Events); the response is handed over as it arrives. */
export async function openStream(opts: ClientOptions, path: string, signal: AbortSignal): Promise<import('node:http').IncomingMessage> {
  const { url, send, tls, auth } = await prepare(opts, path);
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers: { accept: 'text/event-stream', ...auth }, signal, ...tls }, resolve);
    req.on('error', (err) => reject(signal.aborted ? new InterruptedError() : networkError(opts.url, err)));
    req.end();
  });
}

export function networkError(url: string, err: unknown): DcosError {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'the connection was reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
    ETIMEDOUT: 'timed out',
    EHOSTUNREACH: 'host unreachable',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed (use --ca-cert, or --insecure to skip verification)',
    SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is not trusted (use --ca-cert)',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified (use --ca-cert)',
  };
  const reason = (code && reasons[code]) ?? (code ? code.toLowerCase() : (err as Error).message);
  return new DcosError('ECLUSTER_UNREACHABLE', `Cannot reach the cluster at ${url}: ${reason}`, { cause: err });
}
