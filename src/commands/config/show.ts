import type { Ctx } from '../../core/context.js';
import { requireKnownKey } from '../../core/config.js';
import { findConfigKey } from '../../core/config-keys.js';
import { DcosError } from '../../core/errors.js';
import { noneFound, printJson, printLines } from '../../core/output.js';
export interface ConfigShowFlags {
  json?: boolean;
}

export async function run(ctx: Ctx, [key]: readonly [string | undefined], opts: ConfigShowFlags): Promise<void> {
  const config = ctx.config;
  if (key !== undefined) {
    if (!findConfigKey(key) && config.fileValue(key) === undefined) requireKnownKey(key);
    const { value } = config.resolve(key);
    if (value === undefined) {
      throw new DcosError('ECONFIG_UNSET', `Property "${key}" doesn't exist`, { hint: `Set it with: dcos config set ${key} <value>` });
    }
    if (opts.json) printJson(ctx, value);
    else printLines(ctx, [String(value)]);
    return;
  }
  const entries = config
    .keys()
    .map((k) => ({ ...config.resolve(k), secret: findConfigKey(k)?.secret === true }))
    .filter((e) => e.value !== undefined && e.source !== 'default');
  if (opts.json) {
    printJson(ctx, Object.fromEntries(entries.map((e) => [e.key, e.secret ? '********' : e.value])));
    return;
  }
  if (entries.length === 0) {
    noneFound(ctx, `Nothing is configured yet (file: ${config.file}). See every key with "dcos config list".`);
    return;
  }
  printLines(ctx, entries.map((e) => `${e.key} ${e.secret ? '********' : String(e.value)}`));
}
