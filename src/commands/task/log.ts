import type { Ctx } from '../../core/context.js';
import { DcosError, ExitCode, UsageError } from '../../core/errors.js';
import { info } from '../../core/output.js';
import { connectScheduler } from '../../actions/connect.js';
import { requireApp } from '../../actions/marathon-apps.js';
import { readLogs, resolveTask, type LogTask } from '../../actions/tasks.js';
import { normalizeAppId } from '../../marathon/app-id.js';
import type { Scheduler, SchedulerApp } from '../../scheduler/types.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';
import { compareText } from '../../core/compare.js';
import { shortTaskId } from '../../ui/progress-format.js';

/** An app named by the argument (`/hello` or `hello`), if there is one. */
async function appNamed(scheduler: Scheduler, arg: string): Promise<SchedulerApp | undefined> {
  if (arg.startsWith('/')) return requireApp(scheduler, arg);
  return scheduler.getApp(normalizeAppId(arg)).catch(() => undefined);
}

export async function run(ctx: Ctx, [target, file]: readonly unknown[], opts: Options): Promise<number | void> {
  if (file !== undefined && opts.stderr) throw new UsageError('Give a file name or --stderr, not both');
  const fileName = (file as string | undefined) ?? (opts.stderr ? 'stderr' : 'stdout');
  const lines = Number(opts.lines ?? 10);
  const follow = Boolean(opts.follow);
  const scheduler = await connectScheduler(actions(ctx), (m) => info(ctx, m));
  const app = await appNamed(scheduler, target as string);

  let tasks: () => Promise<LogTask[]>;
  if (app) {
    tasks = async () =>
      (await scheduler.listTasks(app.id))
        .sort((a, b) => compareText(a.startedAt ?? a.stagedAt ?? '', b.startedAt ?? b.stagedAt ?? '') || compareText(a.id, b.id))
        .map((t) => ({ id: t.id, agentId: t.slaveId }));
    if (!follow && (await tasks()).length === 0) {
      throw new DcosError('ENO_TASKS', `App '${app.id}' has no running tasks`, {
        hint: `Its finished tasks are listed by "dcos task --completed"; read one with "dcos task log <task id>".`,
      });
    }
  } else {
    const task = await resolveTask(scheduler, target as string);
    tasks = async () => [{ id: task.id, agentId: task.agentId }];
  }

  const prefix = (taskId: string) => (app ? `${shortTaskId(taskId)} | ` : '');
  try {
    for await (const batch of readLogs(scheduler, { file: fileName, lines, follow, signal: ctx.signal, tasks, recheck: Boolean(app) })) {
      ctx.stdout.write(batch.map((l) => `${prefix(l.taskId)}${l.text}\n`).join(''));
    }
  } catch (err) {
    // Ctrl-C during a request of the follow: still the follow's normal end.
    if (!(follow && ctx.signal.aborted)) throw err;
  }
  // Ctrl-C is how a follow ends: not an error to report, but the exit code says it was interrupted.
  if (follow && ctx.signal.aborted) return ExitCode.interrupted;
}
