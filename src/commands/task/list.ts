import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, noneFound, printJson, printLines, printTable } from '../../core/output.js';
import { connectScheduler } from '../../actions/connect.js';
import { listTasks } from '../../actions/tasks.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [filter]: readonly unknown[], opts: Options): Promise<void> {
  if (opts.all && opts.completed) throw new UsageError('--all and --completed cannot be used together', { hint: '--all shows active and completed tasks.' });
  const scheduler = await connectScheduler(actions(ctx), (m) => info(ctx, m));
  const rows = await listTasks(scheduler, { filter: filter as string | undefined, all: Boolean(opts.all), completed: Boolean(opts.completed) });
  if (opts.json) {
    printJson(ctx, rows.map((r) => ({ ...r.task, host: r.host ?? null, user: r.user ?? null, health: r.health ?? null })));
    return;
  }
  if (rows.length === 0) {
    const which = opts.completed ? 'completed tasks' : opts.all ? 'tasks' : 'active tasks';
    noneFound(ctx, filter ? `No ${which} found matching ${String(filter)}` : `There are no ${which}`, opts.all || opts.completed ? undefined : 'Finished tasks are listed with --completed or --all.');
    return;
  }
  if (opts.quiet) {
    printLines(ctx, rows.map((r) => r.id));
    return;
  }
  printTable(ctx, rows, [
    { header: 'NAME', value: (r) => r.name },
    { header: 'HOST', value: (r) => r.host },
    { header: 'USER', value: (r) => r.user },
    { header: 'STATE', value: (r) => r.state },
    { header: 'ID', value: (r) => r.id },
    { header: 'HEALTH', value: (r) => r.health },
  ]);
}
