/** Snapshots and contexts shared by the progress UI tests. */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { TaskView, WatchSnapshot } from '../../../src/actions/watch-types.js';
import { createCtx, type Ctx } from '../../../src/core/context.js';

export const TITLE = 'Installing hello-world 1.1.0 as /hello-world';

const UUIDS = ['1a2b3c4d-1111-4222-8333-444455556666', '5e6f7a8b-1111-4222-8333-444455556666', '9c0d1e2f-1111-4222-8333-444455556666'];

export function task(i: number, over: Partial<TaskView> = {}): TaskView {
  return { id: `hello-world.${UUIDS[i]}`, state: 'TASK_RUNNING', healthy: true, version: 'v1', host: '127.0.0.1', ports: [10001 + i], ...over };
}

export function snapshot(over: Partial<WatchSnapshot> = {}): WatchSnapshot {
  const tasks = over.tasks ?? [];
  return {
    appId: '/hello-world',
    goal: 'running',
    deploymentId: 'd1e2f3a4-0000-4000-8000-000000000000',
    instances: 3,
    tasks,
    running: tasks.filter((t) => t.state === 'TASK_RUNNING').length,
    healthy: tasks.filter((t) => t.healthy === true).length,
    hasHealthChecks: true,
    startedAt: Date.now(),
    elapsedMs: 0,
    ...over,
  };
}

/** The mid-deployment snapshot most tests draw: a step, a queue, a failing check, a failure. */
export function busySnapshot(): WatchSnapshot {
  return snapshot({
    step: { current: 2, total: 2, actions: ['ScaleApplication'] },
    tasks: [
      task(0, { state: 'TASK_RUNNING', healthy: false, healthCause: 'HTTP 503 from /health' }),
      task(1, { state: 'TASK_STAGING', healthy: false, healthCause: null }),
    ],
    running: 1,
    healthy: 0,
    queue: { count: 1, reason: 'insufficient cpus', delaySeconds: 5 },
    lastFailure: 'hello-world.0f0f0f0f: exited with status 1',
  });
}

/** A write-capturing stream; `isTTY` and `columns` as a terminal (or a pipe) would report them. */
export class FakeStream extends EventEmitter {
  chunks: string[] = [];
  rows = 40;
  constructor(
    public isTTY = false,
    public columns = 120,
  ) {
    super();
  }
  write(chunk: string): boolean {
    this.chunks.push(String(chunk));
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

export function makeCtx(opts: { stdoutTTY?: boolean; stderrTTY?: boolean; env?: Record<string, string | undefined>; json?: boolean } = {}): Ctx & { stderr: FakeStream; stdout: FakeStream } {
  const ctx = createCtx({
    stdout: new FakeStream(opts.stdoutTTY ?? false),
    stderr: new FakeStream(opts.stderrTTY ?? opts.stdoutTTY ?? false),
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    // A config directory that does not exist: core.color falls back to auto.
    env: { DCOS_DIR: '/nonexistent/dcos-ui-test', TERM: 'xterm-256color', ...opts.env },
    cwd: process.cwd(),
    global: { json: opts.json ?? false },
  });
  return ctx as Ctx & { stderr: FakeStream; stdout: FakeStream };
}

// eslint-disable-next-line no-control-regex
export const ESC = /\u001b/;
// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string) => s.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g, '');
