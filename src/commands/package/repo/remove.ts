import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { removeRepositories } from '../../../actions/package-repo.js';
import type { Options } from '../../types.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [names]: readonly unknown[], _opts: Options): Promise<void> {
  const list = names as string[];
  const left = removeRepositories(actions(ctx), list);
  info(ctx, `Removed ${list.map((n) => `[${n}]`).join(', ')}; ${left.length} repositor${left.length === 1 ? 'y' : 'ies'} left`);
}
