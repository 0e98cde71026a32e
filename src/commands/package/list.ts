import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, noneFound, printJson, printTable } from '../../core/output.js';
import { connectScheduler } from '../../actions/connect.js';
import { listInstalled } from '../../actions/installed.js';
import { volumesOf, volumesSummary } from '../../actions/volumes.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [name]: readonly unknown[], opts: Options): Promise<void> {
  if (name !== undefined && opts.appId !== undefined) throw new UsageError('Give a package name or --app-id, not both');
  const scheduler = await connectScheduler(actions(ctx), (m) => info(ctx, m));
  const all = await listInstalled(scheduler, { appId: opts.appId as string | undefined });
  const filter = name as string | undefined;
  const found = filter ? all.filter((p) => p.name.includes(filter) || p.appId.includes(filter)) : all;
  const volumes = await volumesOf(scheduler, found.map((p) => p.app));
  if (opts.json) {
    printJson(ctx, found.map(({ app: _app, ...p }) => (volumes.has(p.appId) ? { ...p, volumes: volumes.get(p.appId) } : p)));
    return;
  }
  if (found.length === 0) {
    if (filter || opts.appId) noneFound(ctx, `No installed package matches ${filter ? `"${filter}"` : `--app-id ${String(opts.appId)}`}`, 'See every install with "dcos package list".');
    else noneFound(ctx, 'No packages are installed. Install one with "dcos package install <name>".');
    return;
  }
  printTable(ctx, found, [
    { header: 'NAME', value: (p) => p.name },
    { header: 'VERSION', value: (p) => p.version },
    { header: 'APP', value: (p) => p.appId },
    { header: 'STATUS', value: (p) => p.status },
    { header: 'TASKS', value: (p) => `${p.tasks.running}/${p.tasks.wanted}`, align: 'right' },
    { header: 'HEALTHY', value: (p) => (p.hasHealthChecks ? `${p.tasks.healthy}/${p.tasks.wanted}` : '---'), align: 'right' },
    // Only when some install keeps data: the table scripts parse stays as it was otherwise.
    ...(volumes.size > 0 ? [{ header: 'VOLUMES', value: (p: (typeof found)[number]) => volumesSummary(volumes.get(p.appId)) }] : []),
  ]);
  // Why an install is failed or waiting: a note on stderr, so the table stays what scripts parse.
  for (const p of found) if (p.problem) info(ctx, `${p.appId} is ${p.status}: ${p.problem}`);
}
