/** Installing a package: resolve, render and check it, then submit the app to the cluster. */
import type { ActionCtx } from '../core/context.js';
import { DcosError } from '../core/errors.js';
import { Catalog } from '../universe/catalog.js';
import { LABEL } from '../universe/labels.js';
import type { ResolvedPackage } from '../universe/model.js';
import type { JsonObject } from '../universe/options.js';
import { renderAndCheck } from '../universe/render.js';
import type { Scheduler, SchedulerApp } from '../scheduler/types.js';
import { statusOf } from './installed.js';
import { configuredMirror, requireMirrored } from './asset-mirror.js';

export interface InstallPlan {
  pkg: ResolvedPackage;
  app: Record<string, unknown>;
  appId: string;
}

export async function planInstall(ctx: ActionCtx, opts: { name: string; version?: string; options: JsonObject; appId?: string }): Promise<InstallPlan> {
  const pkg = await new Catalog(ctx).resolve(opts.name, opts.version);
  if (pkg.template === undefined) {
    throw new DcosError('ENO_TEMPLATE', `Package [${pkg.definition.name}] version [${pkg.definition.version}] has no Marathon app to install (it is a CLI-only package)`);
  }
  const mirror = configuredMirror(ctx);
  const { app, mirrored } = await renderAndCheck({ pkg, options: opts.options, appId: opts.appId, mirror });
  if (mirror) await requireMirrored(ctx, mirror, mirrored);
  const id = String(app.id);
  return { pkg, app, appId: id.startsWith('/') ? id : `/${id}` };
}

export function alreadyInstalled(plan: InstallPlan, existing?: SchedulerApp): DcosError {
  const name = plan.pkg.definition.name;
  const { status, problem } = existing ? statusOf(existing) : { status: undefined, problem: undefined };
  // An earlier install that failed is still there, retrying: say so, and how to remove it.
  const state = status === 'failed' || status === 'deploying' ? ` It is ${status}${problem ? ` (${problem})` : ''}; remove it with: dcos package uninstall ${existing?.labels?.[LABEL.name] ?? name} --app-id ${plan.appId} --yes.` : '';
  return new DcosError('EALREADY_INSTALLED', 'Package is already installed', {
    hint: `An app with id ${plan.appId} exists.${state} Install another instance with --app-id <other-id> (or service.name in the options), or change this one with: dcos package update ${name} --app-id ${plan.appId}`,
  });
}

/** Submits the app; refuses, changing nothing, when an app with that id exists. */
export async function submitInstall(scheduler: Scheduler, plan: InstallPlan): Promise<{ deploymentId: string }> {
  const existing = await scheduler.getApp(plan.appId);
  if (existing) throw alreadyInstalled(plan, existing);
  try {
    const { deploymentId } = await scheduler.createApp(plan.app);
    return { deploymentId };
  } catch (err) {
    // Another install won the race for the same id.
    if ((err as DcosError).code === 'ECONFLICT') throw alreadyInstalled(plan);
    if ((err as DcosError).code === 'ELOCKED') {
      throw new DcosError('ELOCKED', `An earlier ${plan.appId} is still being removed`, {
        hint: 'Wait for its uninstall to finish ("dcos marathon deployment list" shows it), then install again.',
      });
    }
    throw err;
  }
}
