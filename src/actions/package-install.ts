/** Installing a package: resolve, render and check it, then submit the app to the cluster. */
import type { ActionCtx } from '../core/context.js';
import { DcosError } from '../core/errors.js';
import { Catalog } from '../universe/catalog.js';
import { LABEL } from '../universe/labels.js';
import type { ResolvedPackage } from '../universe/model.js';
import type { JsonObject } from '../universe/options.js';
import { renderAndCheck } from '../universe/render.js';
import type { AppDefinition, Scheduler, Service } from '../scheduler/types.js';
import { InterruptedError } from '../core/errors.js';
import { statusOf } from './installed.js';
import { configuredMirror, requireMirrored } from './asset-mirror.js';
import { follow, withLeftover } from './follow.js';
import type { Session, WaitOptions } from './session.js';

export interface InstallPlan {
  pkg: ResolvedPackage;
  app: AppDefinition;
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
  return { pkg, app: app as AppDefinition, appId: id.startsWith('/') ? id : `/${id}` };
}

export function alreadyInstalled(plan: InstallPlan, existing?: Service): DcosError {
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
  const existing = await scheduler.getService(plan.appId);
  if (existing) throw alreadyInstalled(plan, existing);
  try {
    const { deploymentId } = await scheduler.createService(plan.app);
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

export interface InstallOptions extends WaitOptions {
  name: string;
  version?: string;
  options: JsonObject;
  appId?: string;
}

export interface InstallResult {
  packageName: string;
  packageVersion: string;
  appId: string;
  deploymentId: string;
  status: 'running' | 'deploying';
  tasks: Array<{ id: string; host: string; ports: number[]; state: string; healthy: boolean | null }>;
}

/**
 * `dcos package install`: plan (resolve, render, check), confirm, submit, and follow the deployment
 * until the tasks run and are healthy, or say why not and what is left in the cluster.
 */
export async function installPackage(session: Session, opts: InstallOptions): Promise<InstallResult> {
  const plan = await planInstall(session, opts);
  const def = plan.pkg.definition;
  if (def.preInstallNotes) session.notify(def.preInstallNotes);
  await session.confirm(`Install ${def.name} ${def.version} as ${plan.appId}?`);
  const scheduler = await session.connect();
  const removal = `dcos package uninstall ${def.name} --app-id ${plan.appId} --yes`;
  const { deploymentId } = await submitInstall(scheduler, plan).catch((err: unknown) => {
    // Interrupted while the app was being submitted: it may exist in the cluster already.
    throw session.signal.aborted
      ? withLeftover(new InterruptedError(), { left: `${plan.appId} may have reached the cluster before the interruption ("dcos package list" shows it).`, undo: `Remove it with: ${removal}` })
      : err;
  });
  session.notify(`Installing ${scheduler.kind === 'marathon' ? 'Marathon app' : 'service'} for package [${def.name}] version [${def.version}] as ${plan.appId}`);
  const result: InstallResult = { packageName: def.name, packageVersion: def.version, appId: plan.appId, deploymentId, status: 'deploying', tasks: [] };
  if (opts.wait) {
    const done = await follow(session, scheduler, {
      appId: plan.appId,
      deploymentId,
      goal: 'running',
      title: `Installing ${def.name} ${def.version} as ${plan.appId}`,
      timeoutMs: opts.timeoutMs,
      leftover: {
        left: `${plan.appId} stays in the cluster, which keeps trying to start it ("dcos package list" shows its status).`,
        undo: `Remove it with: ${removal}`,
      },
    });
    result.status = 'running';
    result.tasks = done.tasks.map((t) => ({ id: t.id, host: t.host, ports: t.ports, state: t.state, healthy: t.healthy }));
    const endpoints = done.tasks.flatMap((t) => (t.ports.length ? [`${t.host}:${t.ports[0]}`] : []));
    session.notify(`${def.name} ${def.version} is running as ${plan.appId}: ${done.running}/${done.instances} tasks running${done.hasHealthChecks ? `, ${done.healthy} healthy` : ''}${endpoints.length ? ` (${endpoints.join(', ')})` : ''}`);
  } else {
    session.notify(`Submitted (deployment ${deploymentId}); follow it with: ${followHint(scheduler)}`);
  }
  if (def.postInstallNotes) session.notify(def.postInstallNotes);
  return result;
}

/** How to follow a deployment on this kind of cluster. */
export function followHint(scheduler: Scheduler): string {
  return scheduler.kind === 'marathon' ? 'dcos marathon deployment list' : 'dcos package list';
}
