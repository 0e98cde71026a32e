import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { addRepository } from '../../../actions/package-repo.js';
import type { Options } from '../../types.js';
import { actions } from '../../shared.js';

export async function run(ctx: Ctx, [name, uri]: readonly unknown[], opts: Options): Promise<void> {
  const repos = await addRepository(actions(ctx), name as string, uri as string, opts.index as number | undefined);
  const at = repos.findIndex((r) => r.name === name);
  info(ctx, `Added repository [${String(name)}] at index ${at}`);
}
