import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { printJson } from '../../core/output.js';
import { installPackage } from '../../actions/package-install.js';
import { readOptionsFile } from '../../universe/options-file.js';
import { session, waitOptions } from '../wait.js';

export interface InstallFlags {
  packageVersion?: string;
  options?: string;
  appId?: string;
  yes?: boolean;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

export async function run(ctx: Ctx, [name]: readonly [string], opts: InstallFlags): Promise<void> {
  if (opts.packageVersion === '') throw new UsageError('--package-version must not be empty');
  const options = opts.options !== undefined ? await readOptionsFile(ctx.cwd, opts.options) : {};
  const result = await installPackage(session(ctx, opts), { name, version: opts.packageVersion, options, appId: opts.appId, ...waitOptions(opts) });
  if (opts.json) printJson(ctx, result);
}
