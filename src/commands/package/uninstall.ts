import type { Ctx } from '../../core/context.js';
import { printJson } from '../../core/output.js';
import { uninstallPackage } from '../../actions/package-uninstall.js';
import { session, waitOptions } from '../wait.js';

export interface UninstallFlags {
  appId?: string;
  all?: boolean;
  yes?: boolean;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

export async function run(ctx: Ctx, [name]: readonly [string], opts: UninstallFlags): Promise<void> {
  const result = await uninstallPackage(session(ctx, opts), { name, appId: opts.appId, all: Boolean(opts.all), ...waitOptions(opts) });
  if (opts.json) printJson(ctx, result);
}
