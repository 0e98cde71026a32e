import type { Ctx } from '../../core/context.js';
import { ExitCode } from '../../core/errors.js';
import { taskLog } from '../../actions/task-log.js';
import { shortTaskId } from '../../ui/progress-format.js';
import { reader } from '../shared.js';

export interface LogFlags {
  follow?: boolean;
  /** Always there: it has a default (10). */
  lines: number;
  stderr?: boolean;
}

export async function run(ctx: Ctx, [target, file]: readonly [string, string | undefined], opts: LogFlags): Promise<number | void> {
  const follow = Boolean(opts.follow);
  const log = await taskLog(reader(ctx), { target, file, stderr: opts.stderr, lines: opts.lines, follow });
  const prefix = (taskId: string) => (log.serviceId ? `${shortTaskId(taskId)} | ` : '');
  try {
    for await (const batch of log.batches) {
      ctx.stdout.write(batch.map((l) => `${prefix(l.taskId)}${l.text}\n`).join(''));
    }
  } catch (err) {
    // Ctrl-C during a request of the follow: still the follow's normal end.
    if (!(follow && ctx.signal.aborted)) throw err;
  }
  // Ctrl-C is how a follow ends: not an error to report, but the exit code says it was interrupted.
  if (follow && ctx.signal.aborted) return ExitCode.interrupted;
}
