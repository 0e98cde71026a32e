/** `dcos package uninstall`: the installs to remove, confirmed, removed and followed until gone. */
import { UsageError } from '../core/errors.js';
import { follow } from './follow.js';
import { findInstall, listInstalled, storedDefinition } from './installed.js';
import type { Session, WaitOptions } from './session.js';

export interface UninstallOptions extends WaitOptions {
  name: string;
  appId?: string;
  /** Every install of the package. */
  all?: boolean;
}

export interface UninstallResult {
  results: Array<{ packageName: string; packageVersion: string; appId: string }>;
}

export async function uninstallPackage(session: Session, opts: UninstallOptions): Promise<UninstallResult> {
  if (opts.all && opts.appId !== undefined) throw new UsageError('Give --app-id or --all, not both');
  const scheduler = await session.connect();
  const targets = opts.all ? await listInstalled(scheduler, { name: opts.name }, { status: false }) : [await findInstall(scheduler, opts.name, opts.appId)];
  // --all of a package that is not installed: the same refusal as without it.
  if (targets.length === 0) await findInstall(scheduler, opts.name);
  await session.confirm(`Uninstall ${opts.name} (${targets.map((t) => t.appId).join(', ')})? Its tasks are stopped and their sandboxes lost.`);
  const results: UninstallResult['results'] = [];
  for (const target of targets) {
    const { deploymentId } = await scheduler.removeService(target.appId, { force: true });
    session.notify(`Uninstalling package [${target.name}] version [${target.version}] from ${target.appId}`);
    if (opts.wait) {
      await follow(session, scheduler, {
        appId: target.appId,
        deploymentId,
        goal: 'removed',
        title: `Uninstalling ${target.name} from ${target.appId}`,
        timeoutMs: opts.timeoutMs,
        leftover: { left: `The removal of ${target.appId} goes on in the cluster (deployment ${deploymentId}); "dcos task ${target.appId}" shows the tasks still stopping.` },
      });
      session.notify(`Uninstalled package [${target.name}] version [${target.version}]`);
    } else {
      session.notify(`Uninstall of ${target.appId} submitted (deployment ${deploymentId}); its tasks are being stopped`);
    }
    const notes = storedDefinition(target.app)?.postUninstallNotes;
    if (notes) session.notify(notes);
    results.push({ packageName: target.name, packageVersion: target.version, appId: target.appId });
  }
  return { results };
}
