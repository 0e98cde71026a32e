import type { Ctx } from '../../core/context.js';
import { info, printJson } from '../../core/output.js';
import { connectScheduler } from '../../actions/connect.js';
import { findService } from '../../actions/service.js';
import { volumesOf } from '../../actions/volumes.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [name]: readonly unknown[], _opts: Options): Promise<void> {
  const scheduler = await connectScheduler(actions(ctx), (m) => info(ctx, m));
  const app = await findService(scheduler, name as string);
  const volumes = (await volumesOf(scheduler, [app])).get(app.id);
  // The agents' record of its persistent volumes (size, use, which instance), beside the app.
  printJson(ctx, volumes ? { ...app, persistentVolumes: volumes } : app);
}
