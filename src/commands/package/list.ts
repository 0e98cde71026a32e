import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, noneFound, printJson, printTable } from '../../core/output.js';
import { packageList } from '../../actions/readers.js';
import { volumesSummary } from '../../actions/volumes.js';
import { reader } from '../shared.js';

export interface PackageListFlags {
  appId?: string;
  json?: boolean;
}

export async function run(ctx: Ctx, [filter]: readonly [string | undefined], opts: PackageListFlags): Promise<void> {
  if (filter !== undefined && opts.appId !== undefined) throw new UsageError('Give a package name or --app-id, not both');
  const { installs: found, volumes } = await packageList(reader(ctx), { filter, appId: opts.appId });
  if (opts.json) {
    printJson(ctx, found.map(({ app: _app, ...p }) => (volumes.has(p.appId) ? { ...p, volumes: volumes.get(p.appId) } : p)));
    return;
  }
  if (found.length === 0) {
    if (filter || opts.appId) noneFound(ctx, `No installed package matches ${filter ? `"${filter}"` : `--app-id ${opts.appId}`}`, 'See every install with "dcos package list".');
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
