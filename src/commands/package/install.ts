import type { Ctx } from '../../core/context.js';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { info, printJson } from '../../core/output.js';
import { confirm } from '../../core/prompt.js';
import { connectScheduler } from '../../actions/connect.js';
import { planInstall, submitInstall } from '../../actions/package-install.js';
import { readOptionsFile } from '../../universe/options-file.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';
import { follow, shouldWait, withLeftover } from '../wait.js';

export async function run(ctx: Ctx, [name]: readonly unknown[], opts: Options): Promise<void> {
  if (opts.packageVersion === '') throw new UsageError('--package-version must not be empty');
  const options = opts.options !== undefined ? await readOptionsFile(ctx.cwd, opts.options as string) : {};
  const act = actions(ctx);
  const plan = await planInstall(act, { name: name as string, version: opts.packageVersion as string | undefined, options, appId: opts.appId as string | undefined });
  const def = plan.pkg.definition;
  if (def.preInstallNotes) info(ctx, def.preInstallNotes);
  await confirm(ctx, `Install ${def.name} ${def.version} as ${plan.appId}?`, Boolean(opts.yes));
  const scheduler = await connectScheduler(act, (m) => info(ctx, m));
  const removal = `dcos package uninstall ${def.name} --app-id ${plan.appId} --yes`;
  const { deploymentId } = await submitInstall(scheduler, plan).catch((err: unknown) => {
    // Interrupted while the app was being submitted: it may exist in the cluster already.
    throw ctx.signal.aborted
      ? withLeftover(new InterruptedError(), { left: `${plan.appId} may have reached the cluster before the interruption ("dcos package list" shows it).`, undo: `Remove it with: ${removal}` })
      : err;
  });
  info(ctx, `Installing Marathon app for package [${def.name}] version [${def.version}] as ${plan.appId}`);
  let status = 'deploying';
  let tasks: unknown[] = [];
  if (shouldWait(opts)) {
    const done = await follow(ctx, scheduler, opts, {
      appId: plan.appId,
      deploymentId,
      goal: 'running',
      title: `Installing ${def.name} ${def.version} as ${plan.appId}`,
      leftover: {
        left: `${plan.appId} stays in the cluster, which keeps trying to start it ("dcos package list" shows its status).`,
        undo: `Remove it with: ${removal}`,
      },
    });
    status = 'running';
    tasks = done.tasks.map((t) => ({ id: t.id, host: t.host, ports: t.ports, state: t.state, healthy: t.healthy }));
    const endpoints = done.tasks.flatMap((t) => (t.ports.length ? [`${t.host}:${t.ports[0]}`] : []));
    info(ctx, `${def.name} ${def.version} is running as ${plan.appId}: ${done.running}/${done.instances} tasks running${done.hasHealthChecks ? `, ${done.healthy} healthy` : ''}${endpoints.length ? ` (${endpoints.join(', ')})` : ''}`);
  } else {
    info(ctx, `Submitted (deployment ${deploymentId}); follow it with: dcos marathon deployment list`);
  }
  if (def.postInstallNotes) info(ctx, def.postInstallNotes);
  if (opts.json) {
    printJson(ctx, { packageName: def.name, packageVersion: def.version, appId: plan.appId, deploymentId, status, tasks });
  }
}
