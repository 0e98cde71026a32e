import type { Ctx } from '../../core/context.js';
import { noneFound, printJson, printLines, printTable } from '../../core/output.js';
import { serviceList } from '../../actions/readers.js';
import { reader } from '../shared.js';

export interface ServiceListFlags {
  inactive?: boolean;
  completed?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: ServiceListFlags): Promise<void> {
  const rows = await serviceList(reader(ctx), { inactive: Boolean(opts.inactive), completed: Boolean(opts.completed) });
  if (opts.json) {
    printJson(ctx, rows);
    return;
  }
  if (rows.length === 0) {
    noneFound(ctx, 'There are no services', opts.inactive ? undefined : 'Services scaled to 0 and inactive frameworks are listed with --inactive.');
    return;
  }
  if (opts.quiet) {
    printLines(ctx, rows.map((r) => r.id));
    return;
  }
  printTable(ctx, rows, [
    { header: 'NAME', value: (r) => r.name },
    { header: 'HOST', value: (r) => r.host },
    { header: 'ACTIVE', value: (r) => (r.active ? 'True' : 'False') },
    { header: 'TASKS', value: (r) => r.tasks },
    { header: 'CPU', value: (r) => r.cpu },
    { header: 'MEM', value: (r) => r.mem },
    { header: 'DISK', value: (r) => r.disk },
    { header: 'ID', value: (r) => r.id },
  ]);
}
