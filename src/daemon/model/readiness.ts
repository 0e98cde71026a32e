/**
 * Readiness checks: during a deployment a new task counts only once its readiness check answers
 * one of `httpStatusCodesForReady` (as Marathon does); once ready, a task stays ready.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ReadinessCheck } from '../../marathon/app-types.js';
import type { ReadinessCheckResultJson } from '../engine/plan.js';
import type { Task } from '../types.js';
import type { StoredApp } from './app-changes.js';

interface Probe {
  status: number;
  contentType: string;
  body: string;
}

function probe(check: ReadinessCheck, host: string, port: number, timeoutMs: number): Promise<Probe | string> {
  const https = check.protocol === 'HTTPS';
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      { host, port, path: check.path ?? '/', method: 'GET', timeout: timeoutMs, agent: false, ...(https ? { rejectUnauthorized: false } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 4096) body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs / 1000}s`)));
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
}

export class ReadinessTracker {
  private readonly results = new Map<string, ReadinessCheckResultJson>();
  private readonly probing = new Set<string>();

  constructor(
    private readonly isLive: (taskId: string) => Task | undefined,
    private readonly changed: () => void,
  ) {}

  /** Without readiness checks a task is ready when it is healthy; with them, once a check passed. */
  isReady(task: Task, app: StoredApp): boolean {
    if ((app.readinessChecks ?? []).length === 0) return true;
    return this.results.get(task.id)?.ready === true;
  }

  /** Starts probing a running task of an app with a readiness check, unless it is ready or probed. */
  ensure(task: Task, app: StoredApp): void {
    const check = app.readinessChecks?.[0];
    if (!check || task.state !== 'TASK_RUNNING' || this.probing.has(task.id) || this.results.get(task.id)?.ready) return;
    const index = (app.portDefinitions ?? []).findIndex((p) => p.name === (check.portName ?? 'http-api'));
    const port = task.ports[index >= 0 ? index : 0];
    this.probing.add(task.id);
    const loop = async (): Promise<void> => {
      const live = this.isLive(task.id);
      if (!live || live.state !== 'TASK_RUNNING') {
        this.probing.delete(task.id);
        this.results.delete(task.id);
        return;
      }
      const answer = await probe(check, task.host, port, (check.timeoutSeconds ?? 10) * 1000);
      const codes = check.httpStatusCodesForReady ?? [200];
      const ready = typeof answer !== 'string' && codes.includes(answer.status);
      this.results.set(task.id, {
        name: check.name ?? 'readinessCheck',
        taskId: task.id,
        ready,
        ...(typeof answer !== 'string' && check.preserveLastResponse ? { lastResponse: answer } : {}),
      });
      if (ready) {
        this.probing.delete(task.id);
        this.changed();
        return;
      }
      setTimeout(() => void loop(), (check.intervalSeconds ?? 30) * 1000).unref();
    };
    void loop();
  }

  /** What `/v2/deployments` shows under currentActions for the app. */
  resultsOf(tasks: readonly Task[]): ReadinessCheckResultJson[] {
    return tasks.flatMap((t) => {
      const r = this.results.get(t.id);
      return r ? [r] : [];
    });
  }
}
