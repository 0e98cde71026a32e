import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { killAppTasks } from '../../../actions/marathon-apps.js';
import type { Options } from '../../types.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [id]: readonly unknown[], opts: Options): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const result = await killAppTasks(scheduler, id as string, { scale: Boolean(opts.scale), host: opts.host as string | undefined });
  if (opts.scale) ctx.stdout.write(`Started deployment: ${result.deploymentId ?? '---'}\n`);
  else ctx.stdout.write(`Killed tasks: [${(result.tasks ?? []).map((t) => t.id).join(', ')}]\n`);
}
