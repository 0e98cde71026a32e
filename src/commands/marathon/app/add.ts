import type { Ctx } from '../../../core/context.js';
import { info } from '../../../core/output.js';
import { connectMarathon } from '../../../actions/connect.js';
import { createApp } from '../../../actions/marathon-apps.js';
import { actions } from '../../shared.js';
import { readJsonObject } from '../read-json.js';

export async function run(ctx: Ctx, [file]: readonly [string | undefined]): Promise<void> {
  const definition = await readJsonObject(ctx, file, 'the app definition');
  const scheduler = await connectMarathon(actions(ctx), (m) => info(ctx, m));
  const { deploymentId } = await createApp(scheduler, definition);
  ctx.stdout.write(`Created deployment ${deploymentId}\n`);
}
