import type { Ctx } from '../../core/context.js';
import { printJson } from '../../core/output.js';
import { serviceShow } from '../../actions/readers.js';
import { reader } from '../shared.js';

export async function run(ctx: Ctx, [name]: readonly [string]): Promise<void> {
  const { service, volumes } = await serviceShow(reader(ctx), name);
  // The cluster's own record of the service, and its persistent volumes (size, use, which instance) beside it.
  printJson(ctx, volumes ? { ...service.record, persistentVolumes: volumes } : service.record);
}
