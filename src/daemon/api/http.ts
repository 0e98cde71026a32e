/**
 * A small HTTP layer: routes by method and path pattern, JSON in and out, Marathon's error bodies,
 * and the cluster token on every request (`Authorization: token=<t>` as DC/OS clients send it, or
 * `Bearer <t>`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? status));
  }
}

export function notFound(message: string): HttpError {
  return new HttpError(404, { message });
}

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
        throw new HttpError(400, { message: `Malformed URL escape in ${path}` });
      }
      return { handler: route.handler, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

const MAX_BODY = 8 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, { message: 'Request body too large' }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
  return createServer((raw, res) => {
    void handle(opts, raw, res);
  });
}

async function handle(opts: ServerOptions, raw: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(raw.url ?? '/', 'http://localhost');
  const method = raw.method ?? 'GET';
  try {
    if (!checkToken(raw.headers.authorization, opts.token)) {
      throw new HttpError(401, { message: 'Unauthorized: this cluster needs its token (Authorization: token=<token>)' }, {
        'www-authenticate': 'token',
      });
    }
    const path = opts.rewrite(url.pathname);
    const found = opts.router.match(method, path);
    if (found === undefined) throw new HttpError(404, { message: 'URI not found' });
    if (found === 'method') throw new HttpError(405, { message: `Method ${method} is not allowed on ${url.pathname}` });
    let bodyPromise: Promise<unknown> | undefined;
    const req: Request = {
      method,
      path,
      params: found.params,
      query: url.searchParams,
      headers: raw.headers,
      raw,
      res,
      body: () =>
        (bodyPromise ??= readBody(raw).then((text) => {
          if (text.trim() === '') return undefined;
          try {
            return JSON.parse(text);
          } catch (err) {
            throw new HttpError(400, { message: 'Invalid JSON', details: (err as Error).message });
          }
        })),
    };
    const reply = await found.handler(req);
    if (reply.handled) return;
    send(res, reply.status ?? 200, reply.body, reply.headers, method === 'HEAD');
  } catch (err) {
    if (err instanceof HttpError) {
      send(res, err.status, err.body, err.headers);
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
