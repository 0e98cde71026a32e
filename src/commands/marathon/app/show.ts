import type { Ctx } from '../../../core/context.js';
import { info, printJson } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { appAtVersion, requireApp } from '../../../actions/marathon-apps.js';
import type { Options } from '../../types.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [id]: readonly unknown[], opts: Options): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const version = opts.appVersion as string | undefined;
  printJson(ctx, version === undefined ? await requireApp(scheduler, id as string) : await appAtVersion(scheduler, id as string, version));
}
