import type { Ctx } from '../../core/context.js';
import { DcosError, UsageError } from '../../core/errors.js';
import { printJson, printTable } from '../../core/output.js';
import { describePackage, renderResolved } from '../../actions/package-describe.js';
import { readOptionsFile } from '../../universe/options-file.js';
import type { JsonObject } from '../../universe/options.js';
import { flattenOptions } from '../../universe/options-listing.js';
import { actions } from '../shared.js';
import { formatDescription } from './describe-text.js';

export interface DescribeFlags {
  packageVersion?: string;
  packageVersions?: boolean;
  config?: boolean;
  app?: boolean;
  render?: boolean;
  options?: string;
  appId?: string;
  cli?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, [name]: readonly [string], opts: DescribeFlags): Promise<void> {
  const render = Boolean(opts.render || opts.options !== undefined || opts.appId !== undefined);
  const modes = [opts.packageVersions, opts.config, opts.app || render, opts.cli].filter(Boolean).length;
  if (modes > 1) {
    throw new UsageError('Choose one of --package-versions, --config, --app/--render and --cli');
  }
  if (opts.packageVersion === '') throw new UsageError('--package-version must not be empty');
  // Read the options file first: a typo in its name should not wait for repositories to load.
  const options: JsonObject = opts.options !== undefined ? await readOptionsFile(ctx.cwd, opts.options) : {};
  const act = actions(ctx);
  const { pkg, versions } = await describePackage(act, name, opts.packageVersion);
  const def = pkg.definition;

  if (opts.packageVersions) {
    if (opts.json) printJson(ctx, versions.map((v) => v.version));
    else printTable(ctx, versions, [
      { header: 'VERSION', value: (v) => v.version },
      { header: 'REVISION', value: (v) => v.releaseVersion, align: 'right' },
    ]);
    return;
  }
  if (opts.config) {
    if (!def.config) throw new DcosError('ENO_CONFIG', `Package [${def.name}] version [${def.version}] takes no options (it has no config.json)`);
    if (opts.json) printJson(ctx, def.config);
    else printTable(ctx, flattenOptions(def.config), [
      { header: 'OPTION', value: (o) => o.path },
      { header: 'TYPE', value: (o) => o.type },
      { header: 'DEFAULT', value: (o) => o.defaultText },
      { header: 'DESCRIPTION', value: (o) => o.description },
    ]);
    return;
  }
  if (render) {
    const { app } = await renderResolved(act, pkg, options, opts.appId);
    printJson(ctx, app);
    return;
  }
  if (opts.app) {
    if (pkg.template === undefined) {
      throw new DcosError('ENO_TEMPLATE', `Package: [${def.name}] version: [${def.version}] does not have a Marathon template defined`);
    }
    ctx.stdout.write(pkg.template.endsWith('\n') ? pkg.template : pkg.template + '\n');
    return;
  }
  if (opts.cli) {
    const cli = def.resource?.cli ?? (def.command && Object.keys(def.command).length ? def.command : undefined);
    if (!cli) throw new DcosError('ENO_CLI', `Package [${def.name}] version [${def.version}] has no CLI`);
    printJson(ctx, cli);
    return;
  }
  if (opts.json) {
    printJson(ctx, { package: def });
    return;
  }
  ctx.stdout.write(formatDescription(pkg, versions));
}
