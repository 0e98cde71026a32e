/**
 * A small HTTP layer: routes by method and path pattern, JSON in and out, Marathon's error bodies,
 * and the cluster token on every request (`Authorization: token=<t>` as DC/OS clients send it, or
 * `Bearer <t>`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../model/api-error.js';
import { bodyTooLarge, MAX_BODY_BYTES, parseJsonBody } from './json-body.js';

export { ApiError, notFound } from '../model/api-error.js';

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
  res: ServerResponse;
  /** Parsed JSON body (undefined when empty). */
  body(): Promise<unknown>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The handler wrote the response itself (streams, files). */
  handled?: boolean;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** `path` uses `:name` for one segment and `:name*` for the rest of the path (ids with slashes). */
  on(method: string, path: string, handler: Handler): void {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          const rest = seg.endsWith('*');
          names.push(seg.slice(1, rest ? -1 : undefined));
          return rest ? '(.+?)' : '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      try {
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
      } catch {
        throw new ApiError(400, { message: `Malformed URL escape in ${path}` });
      }
      return { handler: route.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

/** Past the limit, a body is still read (and dropped) this far, so the client gets its 413. */
const MAX_DRAINED_BYTES = 64 * MAX_BODY_BYTES;

/**
 * The body as text, at most MAX_BODY_BYTES. A larger one is read to its end and dropped before the
 * 413: answering while the client still sends, then closing, resets the connection, and the client
 * sees that instead of the answer. One that will not end is cut off after MAX_DRAINED_BYTES.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else if (chunks.length > 0) chunks.length = 0;
      if (size > MAX_DRAINED_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        reject(withClose(bodyTooLarge()));
      }
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(bodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function withClose(err: ApiError): ApiError {
  return new ApiError(err.status, err.body, { ...err.headers, connection: 'close' });
}

/**
 * Loopback names and addresses, with any port. A page elsewhere can point its own DNS name at
 * 127.0.0.1 (DNS rebinding); its requests then carry that name as their Host and are refused.
 */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

export function checkToken(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^(?:token=|Bearer\s+)(.+)$/i.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1].trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export interface ServerOptions {
  token: string;
  /** Maps a request path onto the router's paths (DC/OS prefixes); undefined = unknown. */
  rewrite: (path: string) => string;
  router: Router;
  log: (message: string) => void;
}

export function createHttpServer(opts: ServerOptions): Server {
  const server = createServer((raw, res) => {
    void handle(opts, raw, res, false);
  });
  // A client that asks before sending its body learns of a 413 without sending it.
  server.on('checkContinue', (raw: IncomingMessage, res: ServerResponse) => {
    void handle(opts, raw, res, true);
  });
  return server;
}

async function handle(opts: ServerOptions, raw: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
  const url = new URL(raw.url ?? '/', 'http://localhost');
  const method = raw.method ?? 'GET';
  try {
    if (!isLoopbackHost(raw.headers.host)) {
      throw new ApiError(403, {
        message: `Host ${JSON.stringify(raw.headers.host ?? '')} is not allowed: this cluster answers only requests to localhost, 127.0.0.1 or [::1]`,
      });
    }
    if (!checkToken(raw.headers.authorization, opts.token)) {
      throw new ApiError(401, { message: 'Unauthorized: this cluster needs its token (Authorization: token=<token>)' }, {
        'www-authenticate': 'token',
      });
    }
    const path = opts.rewrite(url.pathname);
    const found = opts.router.match(method, path);
    if (found === undefined) throw new ApiError(404, { message: 'URI not found' });
    if (found === 'method') throw new ApiError(405, { message: `Method ${method} is not allowed on ${url.pathname}` });
    if (expectsContinue) {
      if (Number(raw.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw bodyTooLarge();
      res.writeContinue();
    }
    let bodyPromise: Promise<unknown> | undefined;
    const req: Request = {
      method,
      path,
      params: found.params,
      query: url.searchParams,
      headers: raw.headers,
      raw,
      res,
      body: () => (bodyPromise ??= readBody(raw).then(parseJsonBody)),
    };
    const reply = await found.handler(req);
    if (reply.handled) return;
    send(res, reply.status ?? 200, reply.body, reply.headers, method === 'HEAD');
  } catch (err) {
    if (err instanceof ApiError) {
      send(res, err.status, err.body, err.headers);
      if (err.headers.connection === 'close') res.once('finish', () => raw.destroy());
      return;
    }
    opts.log(`internal error on ${method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
    send(res, 500, { message: `Internal error: ${(err as Error).message}` });
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, headOnly = false): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : typeof body === 'string' && headers['content-type'] ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    ...headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(headOnly ? undefined : text);
}

/** Marathon parses query booleans with Java's Boolean.parseBoolean: case-insensitive "true". */
export function queryBool(query: URLSearchParams, name: string, fallback = false): boolean {
  const v = query.get(name);
  return v === null ? fallback : v.toLowerCase() === 'true';
}
