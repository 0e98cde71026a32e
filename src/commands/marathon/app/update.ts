import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { parseAppProperties, updateApp } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';
import { readJsonObject } from '../read-json.js';

export interface AppUpdateFlags {
  force?: boolean;
}

/** `properties` is variadic: commander gives an empty array when there are none. */
export async function run(ctx: Ctx, [id, properties]: readonly [string, string[]], opts: AppUpdateFlags): Promise<void> {
  const changes = properties.length ? parseAppProperties(properties) : await readJsonObject(ctx, undefined, 'the properties (key=value pairs or a JSON object)');
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const { deploymentId } = await updateApp(scheduler, id, changes, Boolean(opts.force));
  ctx.stdout.write(`Created deployment ${deploymentId}\n`);
}
