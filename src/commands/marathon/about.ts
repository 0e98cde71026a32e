import type { Ctx } from '../../core/context.js';
import { info, printJson } from '../../core/output.js';
import { marathonAbout } from '../../actions/marathon.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, _args: readonly unknown[], _opts: Options): Promise<void> {
  printJson(ctx, await marathonAbout(actions(ctx), (m) => info(ctx, m)));
}
