import type { Ctx } from '../../core/context.js';
import { info, printJson } from '../../core/output.js';
import { marathonAbout } from '../../actions/marathon.js';
import { actions } from '../shared.js';

/** Always JSON, so --json changes nothing. */
export async function run(ctx: Ctx): Promise<void> {
  printJson(ctx, await marathonAbout(actions(ctx), (m) => info(ctx, m)));
}
