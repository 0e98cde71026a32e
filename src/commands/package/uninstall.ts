import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, printJson } from '../../core/output.js';
import { confirm } from '../../core/prompt.js';
import { connectScheduler } from '../../actions/connect.js';
import { findInstall, listInstalled, storedDefinition } from '../../actions/installed.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';
import { follow, shouldWait } from '../wait.js';

export async function run(ctx: Ctx, [name]: readonly unknown[], opts: Options): Promise<void> {
  if (opts.all && opts.appId !== undefined) throw new UsageError('Give --app-id or --all, not both');
  const scheduler = await connectScheduler(actions(ctx), (m) => info(ctx, m));
  const targets = opts.all
    ? await listInstalled(scheduler, { name: name as string }, { status: false })
    : [await findInstall(scheduler, name as string, opts.appId as string | undefined)];
  if (targets.length === 0) await findInstall(scheduler, name as string);
  await confirm(ctx, `Uninstall ${name as string} (${targets.map((t) => t.appId).join(', ')})? Its tasks are stopped and their sandboxes lost.`, Boolean(opts.yes));
  const results: Array<{ packageName: string; packageVersion: string; appId: string }> = [];
  for (const target of targets) {
    const { deploymentId } = await scheduler.deleteApp(target.appId, { force: true });
    info(ctx, `Uninstalling package [${target.name}] version [${target.version}] from ${target.appId}`);
    if (shouldWait(opts)) {
      await follow(ctx, scheduler, opts, {
        appId: target.appId,
        deploymentId,
        goal: 'removed',
        title: `Uninstalling ${target.name} from ${target.appId}`,
        leftover: { left: `The removal of ${target.appId} goes on in the cluster (deployment ${deploymentId}); "dcos task ${target.appId}" shows the tasks still stopping.` },
      });
      info(ctx, `Uninstalled package [${target.name}] version [${target.version}]`);
    } else {
      info(ctx, `Uninstall of ${target.appId} submitted (deployment ${deploymentId}); its tasks are being stopped`);
    }
    const notes = storedDefinition(target.app)?.postUninstallNotes;
    if (notes) info(ctx, notes);
    results.push({ packageName: target.name, packageVersion: target.version, appId: target.appId });
  }
  if (opts.json) printJson(ctx, { results });
}
