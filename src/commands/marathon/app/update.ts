import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { parseAppProperties, updateApp } from '../../../actions/marathon-apps.js';
import type { Options } from '../../types.js';
import { actions } from '../../shared.js';
import { readJsonObject } from '../read-json.js';

export async function run(ctx: Ctx, [id, properties]: readonly unknown[], opts: Options): Promise<void> {
  const pairs = (properties as string[] | undefined) ?? [];
  const changes = pairs.length ? parseAppProperties(pairs) : await readJsonObject(ctx, undefined, 'the properties (key=value pairs or a JSON object)');
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const { deploymentId } = await updateApp(scheduler, id as string, changes, Boolean(opts.force));
  ctx.stdout.write(`Created deployment ${deploymentId}\n`);
}
