import type { Ctx } from '../../../core/context.js';
import { info, noneFound, printJson, printLines, printTable, truncate } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { listAppRows } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export interface AppListFlags {
  quiet?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: AppListFlags): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const rows = await listAppRows(scheduler);
  if (opts.json) {
    printJson(ctx, rows.map((r) => r.app));
    return;
  }
  if (opts.quiet) {
    printLines(ctx, rows.map((r) => r.app.id));
    return;
  }
  if (rows.length === 0) {
    noneFound(ctx, 'There are no apps. Add one with "dcos marathon app add <file>".');
    return;
  }
  printTable(ctx, rows, [
    { header: 'ID', value: (r) => r.app.id },
    { header: 'MEM', value: (r) => r.app.mem },
    { header: 'CPUS', value: (r) => r.app.cpus },
    { header: 'TASKS', value: (r) => `${r.app.tasksRunning}/${r.app.instances}`, align: 'right' },
    { header: 'HEALTH', value: (r) => (r.app.healthChecks?.length ? `${r.app.tasksHealthy}/${r.app.tasksRunning}` : undefined), align: 'right' },
    { header: 'DEPLOYMENT', value: (r) => r.deployment },
    { header: 'WAITING', value: (r) => (r.waiting ? 'True' : 'False') },
    { header: 'CONTAINER', value: (r) => (r.app.container?.type ?? 'MESOS').toUpperCase() },
    { header: 'CMD', value: (r) => truncate(r.app.cmd ?? r.app.args?.join(' ') ?? '', 30) },
  ]);
}
