/** Shared pieces of the daemon integration tests: app builders, task lookups, sandbox files, SSE. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { waitFor, type TestDaemon } from '../helpers/daemon.js';

/** A task that serves HTTP on $PORT0 (see fixtures/http-server.cjs). */
export const HTTP_SERVER_SCRIPT = fileURLToPath(new URL('./fixtures/http-server.cjs', import.meta.url));
export const HTTP_SERVER_CMD = `exec '${process.execPath}' '${HTTP_SERVER_SCRIPT}'`;

// Loosely typed JSON from the API.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A small long-running app (`sleep`), cheap enough to run many of. */
export function sleeper(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, cmd: 'sleep 1000', cpus: 0.01, mem: 16, ...extra };
}

/** An app serving HTTP, with a 1-second HTTP health check on its first port. */
export function webApp(id: string, extra: Record<string, unknown> = {}, check: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    cmd: HTTP_SERVER_CMD,
    cpus: 0.01,
    mem: 32,
    healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0, intervalSeconds: 1, timeoutSeconds: 1, gracePeriodSeconds: 10, maxConsecutiveFailures: 3, ...check }],
    ...extra,
  };
}

export async function createApp(d: TestDaemon, app: Record<string, unknown>): Promise<Json> {
  const res = await d.api('POST', '/v2/apps', app);
  expect(res.status, res.text).toBe(201);
  return res.json;
}

export async function getApp(d: TestDaemon, id: string): Promise<Json> {
  const res = await d.api('GET', `/v2/apps${id}?embed=app.tasks`);
  expect(res.status, res.text).toBe(200);
  return res.json.app;
}

export async function appTasks(d: TestDaemon, id: string): Promise<Json[]> {
  const res = await d.api('GET', `/v2/apps${id}/tasks`);
  expect(res.status, res.text).toBe(200);
  return res.json.tasks;
}

/** Waits until the app has exactly `n` running tasks and no deployment; returns its tasks. */
export async function waitRunning(d: TestDaemon, id: string, n: number, opts: { healthy?: boolean; timeoutMs?: number } = {}): Promise<Json[]> {
  const app = await waitFor(
    async () => {
      const res = await d.api('GET', `/v2/apps${id}?embed=app.tasks`);
      const a = res.json?.app;
      if (!a) return undefined;
      const ok = a.tasksRunning === n && a.tasks.length === n && a.deployments.length === 0 && (!opts.healthy || a.tasksHealthy === n);
      return ok ? a : undefined;
    },
    { what: `${n} running${opts.healthy ? ' healthy' : ''} task(s) of ${id} and no deployment`, timeoutMs: opts.timeoutMs ?? 15_000 },
  );
  return app.tasks;
}

export async function waitNoDeployments(d: TestDaemon, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await d.api('GET', '/v2/deployments')).json?.length === 0, { what: 'no deployments', timeoutMs });
}

/** The task's sandbox, as `dcos task log` finds it: the directory of the executor running it. */
export async function sandboxOf(d: TestDaemon, taskId: string): Promise<string> {
  const res = await d.api('GET', `/slave/${d.agentId}/state.json`);
  expect(res.status).toBe(200);
  for (const fw of res.json.frameworks) {
    for (const ex of [...fw.executors, ...fw.completed_executors]) {
      const ids = [...ex.tasks, ...ex.completed_tasks, ...ex.queued_tasks].map((t: Json) => t.id);
      if (ids.includes(taskId)) return ex.directory;
    }
  }
  throw new Error(`No executor for task ${taskId} in the agent state`);
}

/** Reads a whole file of a sandbox through the files API (offset=-1 for the size, then the data). */
export async function readSandboxFile(d: TestDaemon, path: string): Promise<string> {
  const q = (extra: string) => `/slave/${d.agentId}/files/read.json?path=${encodeURIComponent(path)}${extra}`;
  const size = await d.api('GET', q('&offset=-1'));
  if (size.status !== 200) throw new Error(`files/read of ${path}: ${size.status} ${size.text}`);
  const res = await d.api('GET', q(`&offset=0&length=${size.json.offset}`));
  if (res.status !== 200) throw new Error(`files/read of ${path}: ${res.status} ${res.text}`);
  return res.json.data as string;
}

/** Waits until a sandbox file exists and its content satisfies `test`. */
export async function waitSandboxFile(d: TestDaemon, path: string, test: (text: string) => boolean, what: string): Promise<string> {
  const found = await waitFor(
    async () => {
      const text = await readSandboxFile(d, path).catch(() => undefined);
      return text !== undefined && test(text) ? { text } : undefined;
    },
    { what, timeoutMs: 10_000 },
  );
  return found.text;
}

export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

export interface SseEvent {
  event: string;
  data: Json;
  receivedAt: number;
}

export interface EventStream {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  waitFor(test: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>;
  close(): Promise<void>;
}

/** Opens `/v2/events` (SSE) and collects its frames until closed. */
export async function openEvents(d: TestDaemon, query = ''): Promise<EventStream> {
  const abort = new AbortController();
  const res = await fetch(`${d.url}/v2/events${query}`, {
    headers: { authorization: `token=${d.token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  let reading: Promise<void> = Promise.resolve();
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    reading = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trim());
            }
            if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')), receivedAt: Date.now() });
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    waitFor: (test, what, timeoutMs = 10_000) => waitFor(() => events.find(test), { what: `event ${what}`, timeoutMs, intervalMs: 50 }),
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

/**
 * Holds SQLite's write lock on the daemon's store from another connection until released: every
 * write of the daemon fails (SQLITE_BUSY after its busy timeout) while readers still read.
 */
export function holdStoreLock(dataDir: string): () => void {
  const db = new Database(join(dataDir, 'state.db'));
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('ROLLBACK');
    db.close();
  };
}

/** Reads the daemon's store with a connection of the test's own (read-only: it never blocks a write). */
export function readStore<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'state.db'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
