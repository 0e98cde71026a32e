import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, printJson } from '../../core/output.js';
import { connectScheduler } from '../../actions/connect.js';
import { findService } from '../../actions/service.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';
import { follow, shouldWait } from '../wait.js';

export async function run(ctx: Ctx, [name, count]: readonly unknown[], opts: Options): Promise<void> {
  if (!/^\d+$/.test(String(count))) throw new UsageError(`Invalid instance count "${String(count)}": use a whole number, 0 or more`);
  const instances = Number(count);
  const scheduler = await connectScheduler(actions(ctx), (m) => info(ctx, m));
  const app = await findService(scheduler, name as string);
  const { deploymentId } = await scheduler.updateApp(app.id, { instances }, { force: Boolean(opts.force) });
  info(ctx, `Scaling ${app.id} from ${app.instances} to ${instances} instance(s)`);
  let status = 'deploying';
  if (shouldWait(opts)) {
    const done = await follow(ctx, scheduler, opts, {
      appId: app.id,
      deploymentId,
      goal: 'running',
      title: `Scaling ${app.id} to ${instances}`,
      leftover: {
        left: `The scaling of ${app.id} to ${instances} goes on in the cluster (deployment ${deploymentId}).`,
        undo: `Go back with: dcos service scale ${app.id} ${app.instances} --force`,
      },
    });
    status = 'running';
    info(ctx, `${app.id}: ${done.running}/${instances} running${done.hasHealthChecks ? `, ${done.healthy} healthy` : ''}`);
  }
  if (opts.json) printJson(ctx, { appId: app.id, instances, deploymentId, status });
}
