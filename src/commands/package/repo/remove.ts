import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { removeRepositories } from '../../../actions/package-repo.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [names]: readonly [string[]]): Promise<void> {
  const left = removeRepositories(actions(ctx), names);
  info(ctx, `Removed ${names.map((n) => `[${n}]`).join(', ')}; ${left.length} repositor${left.length === 1 ? 'y' : 'ies'} left`);
}
