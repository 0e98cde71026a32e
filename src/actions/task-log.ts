/** `dcos task log`: the log of one task, or of every task of a service (following restarts). */
import { DcosError, UsageError } from '../core/errors.js';
import { compareText } from '../core/compare.js';
import { suggest } from '../core/suggest.js';
import { normalizeAppId } from '../marathon/app-id.js';
import type { Scheduler, Service } from '../scheduler/types.js';
import type { Reader } from './session.js';
import { readLogs, resolveTask, type LogLine, type LogTask } from './tasks.js';

export interface TaskLogOptions {
  /** A task id (or a fragment of one), or a service's id. */
  target: string;
  /** A file of the sandbox; default stdout (stderr with `stderr`). */
  file?: string;
  stderr?: boolean;
  lines: number;
  follow: boolean;
}

export interface TaskLog {
  /** Set when the target is a service: the lines of several tasks, each says whose. */
  serviceId?: string;
  batches: AsyncGenerator<LogLine[]>;
}

/** A service named by the argument (`/hello` must be one; `hello` may be a task id fragment). */
async function serviceNamed(scheduler: Scheduler, arg: string): Promise<Service | undefined> {
  const id = normalizeAppId(arg);
  const service = await scheduler.getService(id).catch((err: unknown) => {
    if (arg.startsWith('/')) throw err;
    return undefined;
  });
  if (service || !arg.startsWith('/')) return service;
  const close = suggest(id, (await scheduler.listServices().catch(() => [])).map((s) => s.id));
  throw new DcosError('ENOT_FOUND', `App '${id}' does not exist`, {
    hint: close.length ? `Did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : 'See the services with "dcos service list".',
  });
}

export async function taskLog(ctx: Reader, opts: TaskLogOptions): Promise<TaskLog> {
  if (opts.file !== undefined && opts.stderr) throw new UsageError('Give a file name or --stderr, not both');
  const file = opts.file ?? (opts.stderr ? 'stderr' : 'stdout');
  const scheduler = await ctx.connect();
  if (scheduler.kind === 'kubernetes' && opts.stderr) {
    ctx.notify('Kubernetes keeps one log per container, stdout and stderr together: showing it');
  }
  const service = await serviceNamed(scheduler, opts.target);
  let tasks: () => Promise<LogTask[]>;
  if (service) {
    tasks = async () =>
      (await scheduler.listTasks({ serviceId: service.id }))
        .sort((a, b) => compareText(a.startedAt ?? a.stagedAt ?? '', b.startedAt ?? b.stagedAt ?? '') || compareText(a.id, b.id))
        .map((t) => ({ id: t.id, nodeId: t.nodeId }));
    if (!opts.follow && (await tasks()).length === 0) {
      throw new DcosError('ENO_TASKS', `App '${service.id}' has no running tasks`, {
        hint: `Its finished tasks are listed by "dcos task --completed"; read one with "dcos task log <task id>".`,
      });
    }
  } else {
    const task = await resolveTask(scheduler, opts.target);
    tasks = async () => [{ id: task.id, nodeId: task.nodeId }];
  }
  return {
    ...(service ? { serviceId: service.id } : {}),
    batches: readLogs(scheduler, { file, lines: opts.lines, follow: opts.follow, signal: ctx.signal, tasks, recheck: Boolean(service) }),
  };
}
