import type { Ctx } from '../../../core/context.js';
import { UsageError } from '../../../core/errors.js';
import { info, printJson } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { killMarathonTasks } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export interface MarathonTaskKillFlags {
  scale?: boolean;
  wipe?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, [ids]: readonly [string[]], opts: MarathonTaskKillFlags): Promise<void> {
  if (opts.scale && opts.wipe) throw new UsageError('You cannot use --scale and --wipe at the same time');
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const result = await killMarathonTasks(scheduler, ids, { scale: Boolean(opts.scale), wipe: Boolean(opts.wipe) });
  if (opts.json) {
    printJson(ctx, opts.scale ? result : (result.tasks ?? []));
    return;
  }
  if (opts.scale) ctx.stdout.write(`Started deployment: ${result.deploymentId ?? '---'}\n`);
  else ctx.stdout.write(`Killed tasks: [${(result.tasks ?? []).map((t) => t.id).join(', ')}]\n`);
}
