import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { addRepository } from '../../../actions/package-repo.js';
import { actions } from '../../shared.js';

export interface RepoAddFlags {
  index?: number;
}

export async function run(ctx: Ctx, [name, uri]: readonly [string, string], opts: RepoAddFlags): Promise<void> {
  const repos = await addRepository(actions(ctx), name, uri, opts.index);
  const at = repos.findIndex((r) => r.name === name);
  info(ctx, `Added repository [${name}] at index ${at}`);
}
