import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { killAppTasks } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export interface AppKillFlags {
  scale?: boolean;
  host?: string;
}

export async function run(ctx: Ctx, [id]: readonly [string], opts: AppKillFlags): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const result = await killAppTasks(scheduler, id, { scale: Boolean(opts.scale), host: opts.host });
  if (opts.scale) ctx.stdout.write(`Started deployment: ${result.deploymentId ?? '---'}\n`);
  else ctx.stdout.write(`Killed tasks: [${(result.tasks ?? []).map((t) => t.id).join(', ')}]\n`);
}
