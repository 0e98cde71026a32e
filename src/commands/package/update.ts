import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, printJson } from '../../core/output.js';
import { confirm } from '../../core/prompt.js';
import { connectScheduler } from '../../actions/connect.js';
import { planUpdate, submitUpdate } from '../../actions/package-update.js';
import { readOptionsFile } from '../../universe/options-file.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';
import { follow, shouldWait } from '../wait.js';

export async function run(ctx: Ctx, [name]: readonly unknown[], opts: Options): Promise<void> {
  if (opts.packageVersion === '') throw new UsageError('--package-version must not be empty');
  if (opts.replaceOptions && opts.options === undefined) throw new UsageError('--replace-options needs --options');
  const options = opts.options !== undefined ? await readOptionsFile(ctx.cwd, opts.options as string) : undefined;
  const act = actions(ctx);
  const scheduler = await connectScheduler(act, (m) => info(ctx, m));
  const plan = await planUpdate(act, scheduler, {
    name: name as string,
    appId: opts.appId as string | undefined,
    version: opts.packageVersion as string | undefined,
    options,
    replaceOptions: Boolean(opts.replaceOptions),
  });
  const what = plan.fromVersion === plan.toVersion ? `${plan.toVersion} with new options` : `${plan.fromVersion} -> ${plan.toVersion}`;
  await confirm(ctx, `Update ${plan.installed.name} at ${plan.installed.appId} (${what})?`, Boolean(opts.yes));
  const { deploymentId } = await submitUpdate(scheduler, plan, Boolean(opts.force));
  info(ctx, `Updating package [${plan.installed.name}] at ${plan.installed.appId}: ${what}`);
  let status = 'deploying';
  if (shouldWait(opts)) {
    const done = await follow(ctx, scheduler, opts, {
      appId: plan.installed.appId,
      deploymentId,
      goal: 'running',
      title: `Updating ${plan.installed.name} at ${plan.installed.appId} (${what})`,
      leftover: {
        left: `The update of ${plan.installed.appId} goes on in the cluster (deployment ${deploymentId}).`,
        undo: `Roll it back with: dcos marathon deployment rollback ${deploymentId}`,
      },
    });
    status = 'running';
    info(ctx, `${plan.installed.name} ${plan.toVersion} is running as ${plan.installed.appId}: ${done.running}/${done.instances} tasks running${done.hasHealthChecks ? `, ${done.healthy} healthy` : ''}`);
  }
  if (opts.json) {
    printJson(ctx, { packageName: plan.installed.name, fromVersion: plan.fromVersion, packageVersion: plan.toVersion, appId: plan.installed.appId, deploymentId, status, options: plan.options });
  }
}
