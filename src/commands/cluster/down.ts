import type { Ctx } from '../../core/context.js';
import { info } from '../../core/output.js';
import { clusterDown } from '../../actions/cluster.js';
import { actions } from '../shared.js';

export interface DownFlags {
  name?: string;
}

export async function run(ctx: Ctx, _args: readonly [], opts: DownFlags): Promise<void> {
  const { name, result } = await clusterDown(actions(ctx), opts.name);
  const messages = {
    stopped: `Cluster [${name}] stopped, with its tasks.`,
    'stopped-without-tasks': `Cluster [${name}]'s daemon could not be asked to stop its tasks (it did not answer, or its token is unreadable) and was stopped; its tasks were left running (they are re-adopted on the next "dcos cluster up").`,
    'not-running': `Cluster [${name}] was not running.`,
  };
  info(ctx, messages[result]);
}
