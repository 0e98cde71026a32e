import type { Ctx } from '../../../core/context.js';
import { info, noneFound, printJson, printLines, printTable } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { listMarathonTasks } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export interface MarathonTaskListFlags {
  quiet?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, [appId]: readonly [string | undefined], opts: MarathonTaskListFlags): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const tasks = await listMarathonTasks(scheduler, appId);
  if (opts.json) {
    printJson(ctx, tasks);
    return;
  }
  if (opts.quiet) {
    printLines(ctx, tasks.map((t) => t.id));
    return;
  }
  if (tasks.length === 0) {
    noneFound(ctx, 'There are no tasks');
    return;
  }
  printTable(ctx, tasks, [
    { header: 'APP', value: (t) => t.appId },
    { header: 'HEALTHY', value: (t) => (t.healthCheckResults?.length ? (t.healthCheckResults.every((r) => r.alive) ? 'True' : 'False') : undefined) },
    { header: 'STARTED', value: (t) => t.startedAt },
    { header: 'HOST', value: (t) => t.host },
    { header: 'ID', value: (t) => t.id },
  ]);
}
