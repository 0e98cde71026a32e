import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { printJson } from '../../core/output.js';
import { updatePackage } from '../../actions/package-update.js';
import { readOptionsFile } from '../../universe/options-file.js';
import { session, waitOptions } from '../wait.js';

export interface UpdateFlags {
  packageVersion?: string;
  options?: string;
  replaceOptions?: boolean;
  appId?: string;
  force?: boolean;
  yes?: boolean;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

export async function run(ctx: Ctx, [name]: readonly [string], opts: UpdateFlags): Promise<void> {
  if (opts.packageVersion === '') throw new UsageError('--package-version must not be empty');
  if (opts.replaceOptions && opts.options === undefined) throw new UsageError('--replace-options needs --options');
  const options = opts.options !== undefined ? await readOptionsFile(ctx.cwd, opts.options) : undefined;
  const result = await updatePackage(session(ctx, opts), {
    name,
    appId: opts.appId,
    version: opts.packageVersion,
    options,
    replaceOptions: Boolean(opts.replaceOptions),
    force: Boolean(opts.force),
    ...waitOptions(opts),
  });
  if (opts.json) printJson(ctx, result);
}
