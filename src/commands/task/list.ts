import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { noneFound, printJson, printLines, printTable } from '../../core/output.js';
import { taskList } from '../../actions/readers.js';
import { reader } from '../shared.js';

export interface TaskListFlags {
  all?: boolean;
  completed?: boolean;
  quiet?: boolean;
  json?: boolean;
}

const health = (r: { healthy?: boolean | null }) => (r.healthy === true ? 'healthy' : r.healthy === false ? 'unhealthy' : undefined);

export async function run(ctx: Ctx, [filter]: readonly [string | undefined], opts: TaskListFlags): Promise<void> {
  if (opts.all && opts.completed) throw new UsageError('--all and --completed cannot be used together', { hint: '--all shows active and completed tasks.' });
  const rows = await taskList(reader(ctx), { filter, all: Boolean(opts.all), completed: Boolean(opts.completed) });
  if (opts.json) {
    printJson(ctx, rows.map((r) => ({ ...r.record, host: r.host ?? null, user: r.user ?? null, health: health(r) ?? null })));
    return;
  }
  if (rows.length === 0) {
    const which = opts.completed ? 'completed tasks' : opts.all ? 'tasks' : 'active tasks';
    noneFound(ctx, filter ? `No ${which} found matching ${filter}` : `There are no ${which}`, opts.all || opts.completed ? undefined : 'Finished tasks are listed with --completed or --all.');
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
    { header: 'HEALTH', value: (r) => health(r) },
  ]);
}
