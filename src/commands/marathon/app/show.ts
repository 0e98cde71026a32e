import type { Ctx } from '../../../core/context.js';
import { info, printJson } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { appAtVersion, requireApp } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';

export interface AppShowFlags {
  appVersion?: string;
  json?: boolean;
}

/** Always JSON, so --json changes nothing. */
export async function run(ctx: Ctx, [id]: readonly [string], opts: AppShowFlags): Promise<void> {
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const version = opts.appVersion;
  printJson(ctx, version === undefined ? await requireApp(scheduler, id) : await appAtVersion(scheduler, id, version));
}
