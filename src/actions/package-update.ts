/**
 * Updating an installed package: new options merged into the ones it was installed with (or
 * replacing them), optionally another version, allowed only where upgradesFrom / downgradesTo say.
 */
import type { ActionCtx } from '../core/context.js';
import { DcosError } from '../core/errors.js';
import { Catalog } from '../universe/catalog.js';
import type { PackageDefinition, ResolvedPackage } from '../universe/model.js';
import { deepMerge, type JsonObject } from '../universe/options.js';
import { normalizeAppId } from '../marathon/app-id.js';
import { renderAndCheck } from '../universe/render.js';
import type { AppDefinition, Scheduler } from '../scheduler/types.js';
import { configuredMirror, requireMirrored } from './asset-mirror.js';
import { follow } from './follow.js';
import type { Session, WaitOptions } from './session.js';
import { findInstall, storedDefinition, storedOptions, type InstalledPackage } from './installed.js';

export interface UpdatePlan {
  installed: InstalledPackage;
  pkg: ResolvedPackage;
  app: AppDefinition;
  options: JsonObject;
  fromVersion: string;
  toVersion: string;
}

function allows(list: readonly string[] | undefined, version: string): boolean {
  return (list ?? []).some((v) => v === '*' || v === version);
}

/** Whether moving from `current` to `target` is allowed; the refusal names the versions that are. */
function checkVersionChange(current: PackageDefinition | undefined, target: PackageDefinition, candidates: PackageDefinition[], fromVersion: string): void {
  if (target.version === fromVersion) return;
  const upgrade = current === undefined || target.releaseVersion > current.releaseVersion;
  const ok = upgrade ? allows(target.upgradesFrom, fromVersion) : allows(current?.downgradesTo, target.version);
  if (ok) return;
  const upgrades = candidates.filter((c) => current && c.releaseVersion > current.releaseVersion && allows(c.upgradesFrom, fromVersion)).map((c) => c.version);
  const downgrades = candidates.filter((c) => current && c.releaseVersion < current.releaseVersion && allows(current.downgradesTo, c.version)).map((c) => c.version);
  const why = upgrade
    ? `version ${target.version} does not list ${fromVersion} in its upgradesFrom`
    : `version ${fromVersion} does not list ${target.version} in its downgradesTo`;
  throw new DcosError('EVERSION_CHANGE', `Cannot ${upgrade ? 'upgrade' : 'downgrade'} [${target.name}] from ${fromVersion} to ${target.version}: ${why}`, {
    hint: upgrades.length || downgrades.length
      ? `Allowed from ${fromVersion}: ${[...new Set([...upgrades, ...downgrades])].join(', ')}`
      : `No other version may replace ${fromVersion}; uninstall and install instead.`,
  });
}

export async function planUpdate(
  ctx: ActionCtx,
  scheduler: Scheduler,
  opts: { name: string; appId?: string; version?: string; options?: JsonObject; replaceOptions?: boolean },
): Promise<UpdatePlan> {
  const installed = await findInstall(scheduler, opts.name, opts.appId);
  const fromVersion = installed.version;
  const catalog = new Catalog(ctx);
  const pkg = await catalog.resolve(opts.name, opts.version ?? fromVersion);
  const candidates = (await catalog.candidates(opts.name)).map((c) => c.definition);
  const current = candidates.find((c) => c.version === fromVersion) ?? storedDefinition(installed.app);
  checkVersionChange(current, pkg.definition, candidates, fromVersion);
  const stored = storedOptions(installed.app);
  const options = opts.replaceOptions ? (opts.options ?? {}) : deepMerge(stored, opts.options ?? {});
  // Cosmos refuses an update that would move the app (AppIdChanged). An install made with --app-id
  // renders another id from its options; only a change of the id the options give is refused.
  const after = (await renderAndCheck({ pkg, options })).app.id;
  // Stored options the new version no longer accepts tell nothing about the id: skip the check.
  const before = await renderAndCheck({ pkg, options: stored }).then((r) => r.app.id, () => after);
  if (normalizeAppId(String(after)) !== normalizeAppId(String(before))) {
    throw new DcosError('EAPP_ID_CHANGED', `The new appId ${normalizeAppId(String(after))} must be equal to the old appId ${installed.appId}`, {
      hint: 'An update keeps the app where it is: to run it under another id, install it again with --app-id and uninstall the old one.',
    });
  }
  const mirror = configuredMirror(ctx);
  const { app, mirrored } = await renderAndCheck({ pkg, options, appId: installed.appId, mirror });
  if (mirror) await requireMirrored(ctx, mirror, mirrored);
  return { installed, pkg, app: app as AppDefinition, options, fromVersion, toVersion: pkg.definition.version };
}

export async function submitUpdate(scheduler: Scheduler, plan: UpdatePlan, force = false): Promise<{ deploymentId: string }> {
  const { deploymentId } = await scheduler.updateService(plan.installed.appId, plan.app, { force });
  return { deploymentId };
}

export interface UpdateOptions extends WaitOptions {
  name: string;
  appId?: string;
  version?: string;
  options?: JsonObject;
  replaceOptions?: boolean;
  force?: boolean;
}

export interface UpdateResult {
  packageName: string;
  fromVersion: string;
  packageVersion: string;
  appId: string;
  deploymentId: string;
  status: 'running' | 'deploying';
  options: JsonObject;
}

/** `dcos package update`: plan, confirm, submit and follow, saying how to roll back when it fails. */
export async function updatePackage(session: Session, opts: UpdateOptions): Promise<UpdateResult> {
  const scheduler = await session.connect();
  const plan = await planUpdate(session, scheduler, opts);
  const what = plan.fromVersion === plan.toVersion ? `${plan.toVersion} with new options` : `${plan.fromVersion} -> ${plan.toVersion}`;
  await session.confirm(`Update ${plan.installed.name} at ${plan.installed.appId} (${what})?`);
  const { deploymentId } = await submitUpdate(scheduler, plan, Boolean(opts.force));
  session.notify(`Updating package [${plan.installed.name}] at ${plan.installed.appId}: ${what}`);
  const result: UpdateResult = {
    packageName: plan.installed.name,
    fromVersion: plan.fromVersion,
    packageVersion: plan.toVersion,
    appId: plan.installed.appId,
    deploymentId,
    status: 'deploying',
    options: plan.options,
  };
  if (opts.wait) {
    const done = await follow(session, scheduler, {
      appId: plan.installed.appId,
      deploymentId,
      goal: 'running',
      title: `Updating ${plan.installed.name} at ${plan.installed.appId} (${what})`,
      timeoutMs: opts.timeoutMs,
      leftover: {
        left: `The update of ${plan.installed.appId} goes on in the cluster (deployment ${deploymentId}).`,
        undo: scheduler.kind === 'marathon' ? `Roll it back with: dcos marathon deployment rollback ${deploymentId}` : undefined,
      },
    });
    result.status = 'running';
    session.notify(`${plan.installed.name} ${plan.toVersion} is running as ${plan.installed.appId}: ${done.running}/${done.instances} tasks running${done.hasHealthChecks ? `, ${done.healthy} healthy` : ''}`);
  }
  return result;
}
