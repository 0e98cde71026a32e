/**
 * The Kubernetes API over node:https (no client library: see the README's "Kubernetes" section
 * for why), with the connection's credentials: JSON requests, server-side apply, watches and
 * followed logs as streams, and exec over a WebSocket. One keep-alive agent per client, so a
 * command's requests share their TLS connections.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DcosError, InterruptedError, type ErrorDetail } from '../../core/errors.js';
import { execCredential, forgetCredential } from './exec-credential.js';
import type { KubeConnection } from './kubeconfig.js';

export interface KubeClientOptions {
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface KubeResponse {
  status: number;
  text: string;
}

interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ field?: string; message?: string; reason?: string }> };
}

const RETRY_DELAYS_MS = [300, 1000, 2500];

export class KubeClient {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly secure: boolean;

  constructor(
    readonly conn: KubeConnection,
    private readonly opts: KubeClientOptions = {},
  ) {
    this.secure = conn.server.startsWith('https:');
    this.agent = this.secure ? new HttpsAgent({ keepAlive: true, maxSockets: 8 }) : new HttpAgent({ keepAlive: true, maxSockets: 8 });
  }

  get namespace(): string {
    return this.conn.namespace;
  }

  /** Headers and TLS material for one request: a token file or an exec plugin may have changed. */
  private async credentials(): Promise<{ headers: Record<string, string>; cert?: Buffer; key?: Buffer }> {
    const headers: Record<string, string> = {};
    let { cert, key } = this.conn;
    let token = this.conn.token;
    if (!token && this.conn.tokenFile) {
      try {
        token = readFileSync(this.conn.tokenFile, 'utf8').trim();
      } catch (err) {
        throw new DcosError('EKUBECONFIG', `Cannot read the token file ${this.conn.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    if (this.conn.exec && !token && !cert) {
      const got = await execCredential(this.conn.exec, this.conn);
      token = got.token;
      if (got.cert && got.key) ({ cert, key } = got);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    else if (this.conn.basic) headers.authorization = `Basic ${Buffer.from(`${this.conn.basic.username}:${this.conn.basic.password}`).toString('base64')}`;
    return { headers, cert, key };
  }

  private async open(method: string, path: string, body: string | undefined, headers: Record<string, string>, timeoutMs: number | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
    const creds = await this.credentials();
    const url = new URL(this.conn.server + path);
    const send = this.secure ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          agent: this.agent,
          headers: { accept: 'application/json', ...headers, ...creds.headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
          ...(this.secure
            ? {
                ca: this.conn.ca,
                cert: creds.cert,
                key: creds.key,
                rejectUnauthorized: !this.conn.insecure,
                ...(this.conn.tlsServerName ? { servername: this.conn.tlsServerName } : {}),
              }
            : {}),
          signal,
        },
        resolve,
      );
      if (timeoutMs) {
        req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`), { code: 'ETIMEDOUT' })));
      }
      req.on('error', (err) => {
        if (signal?.aborted) return reject(new InterruptedError());
        reject(
          new DcosError('ECLUSTER_UNREACHABLE', `Cannot reach the Kubernetes API at ${this.conn.server}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, {
            hint: `Check that the cluster of context [${this.conn.context}] is up (kubeconfig: ${this.conn.files.join(', ')}).`,
            cause: err,
          }),
        );
      });
      req.end(body);
    });
  }

  /** One request and its whole answer; reads are retried on network failures and 5xx answers. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = payload !== undefined ? { 'content-type': contentType } : {};
    const timeoutMs = (this.opts.timeoutSeconds ?? 60) * 1000;
    for (let attempt = 0; ; attempt++) {
      let res: KubeResponse | undefined;
      try {
        const msg = await this.open(method, path, payload, headers, timeoutMs, this.opts.signal);
        let text = '';
        msg.setEncoding('utf8');
        for await (const chunk of msg) text += chunk as string;
        res = { status: msg.statusCode ?? 0, text };
      } catch (err) {
        const retry = method === 'GET' && (err as DcosError).code === 'ECLUSTER_UNREACHABLE' && attempt < RETRY_DELAYS_MS.length;
        if (!retry) throw err;
      }
      if (res?.status === 401 && this.conn.exec && attempt === 0) {
        // An exec credential that expired early: run the plugin again, once.
        forgetCredential(this.conn.exec, this.conn.server);
        continue;
      }
      if (res && !(res.status >= 500 && method === 'GET' && attempt < RETRY_DELAYS_MS.length)) return res;
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      this.opts.signal?.throwIfAborted();
    }
  }

  /** A JSON answer, or a typed error naming what the API refused; `allow404` turns 404 into undefined. */
  async json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.request(method, path, body, contentType);
    if (res.status >= 200 && res.status < 300) return (res.text ? JSON.parse(res.text) : {}) as T;
    throw kubeError(method, path, res, this.conn.server);
  }

  async get<T>(path: string): Promise<T | undefined> {
    const res = await this.request('GET', path);
    if (res.status === 404) return undefined;
    if (res.status >= 200 && res.status < 300) return JSON.parse(res.text) as T;
    throw kubeError('GET', path, res, this.conn.server);
  }

  /** Server-side apply of one object under our field manager (forced: dcos owns what it applied). */
  apply<T>(path: string, object: unknown, fieldManager: string): Promise<T> {
    return this.json<T>('PATCH', `${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, object, 'application/apply-patch+yaml');
  }

  /** A streaming answer (a watch, a followed log), open until `signal` aborts or the server ends it. */
  async stream(path: string, signal: AbortSignal): Promise<IncomingMessage> {
    const msg = await this.open('GET', path, undefined, {}, undefined, signal);
    if (msg.statusCode !== 200) {
      let text = '';
      msg.setEncoding('utf8');
      for await (const chunk of msg) text += chunk as string;
      throw kubeError('GET', path, { status: msg.statusCode ?? 0, text }, this.conn.server);
    }
    return msg;
  }

  /** A watch's events, one JSON object per line. */
  async *watch<T>(path: string, signal: AbortSignal): AsyncIterable<{ type: string; object: T }> {
    const msg = await this.stream(path, signal);
    msg.setEncoding('utf8');
    let buffer = '';
    try {
      for await (const chunk of msg) {
        buffer += chunk as string;
        let end: number;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end).trim();
          buffer = buffer.slice(end + 1);
          if (line) yield JSON.parse(line) as { type: string; object: T };
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  /** What the WebSocket of exec needs: the URL, headers and TLS options of an upgrade request. */
  async upgradeOptions(path: string): Promise<{ url: string; headers: Record<string, string>; tls: Record<string, unknown> }> {
    const creds = await this.credentials();
    return {
      url: (this.conn.server + path).replace(/^http/, 'ws'),
      headers: creds.headers,
      tls: this.secure ? { ca: this.conn.ca, cert: creds.cert, key: creds.key, rejectUnauthorized: !this.conn.insecure, ...(this.conn.tlsServerName ? { servername: this.conn.tlsServerName } : {}) } : {},
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

export function kubeError(method: string, path: string, res: KubeResponse, server: string): DcosError {
  let status: KubeStatus = {};
  try {
    status = JSON.parse(res.text) as KubeStatus;
  } catch {
    // not JSON: described by its HTTP status
  }
  const message = status.message ?? '';
  const details: ErrorDetail[] = (status.details?.causes ?? []).map((c) => ({ path: c.field, message: c.message ?? c.reason ?? '' }));
  switch (res.status) {
    case 401:
      return new DcosError('EUNAUTHORIZED', `The Kubernetes API at ${server} refused the credentials${message ? `: ${message}` : ''}`, {
        hint: 'Check the user of the kubeconfig context (its token, certificate or credential plugin).',
      });
    case 403:
      return new DcosError('EFORBIDDEN', `The Kubernetes API does not allow this (${method} ${path})${message ? `: ${message}` : ''}`, {
        hint: 'The kubeconfig user needs RBAC rights on the namespace (deployments, statefulsets, services, pods, pods/log, pods/exec, events).',
      });
    case 404:
      return new DcosError('ENOT_FOUND', message || `Not found: ${path}`);
    case 409:
      return new DcosError('ECONFLICT', message || 'Conflict');
    case 400:
    case 422:
      return new DcosError('EINVALID', `The Kubernetes API refused the request: ${message || `HTTP ${res.status}`}`, { details, showDetails: true });
    default:
      return new DcosError('ECLUSTER', `The Kubernetes API answered ${method} ${path} with HTTP ${res.status}${message ? `: ${message}` : ''}`, { details });
  }
}
