import type { Ctx } from '../../core/context.js';
import { findConfigKey } from '../../core/config-keys.js';
import { printJson, printTable } from '../../core/output.js';
export interface ConfigListFlags {
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: ConfigListFlags): Promise<void> {
  const rows = ctx.config.keys().map((key) => {
    const spec = findConfigKey(key);
    const { value, source } = ctx.config.resolve(key);
    return {
      key,
      value: value === undefined ? undefined : spec?.secret ? '********' : value,
      source: source ?? null,
      env: spec?.env ?? null,
      description: spec?.description ?? '(unknown key)',
    };
  });
  if (opts.json) {
    printJson(ctx, rows.map((r) => ({ ...r, value: r.value ?? null })));
    return;
  }
  printTable(ctx, rows, [
    { header: 'KEY', value: (r) => r.key },
    { header: 'VALUE', value: (r) => (r.value === undefined ? undefined : String(r.value)) },
    { header: 'SOURCE', value: (r) => r.source },
    { header: 'ENV', value: (r) => r.env },
    { header: 'DESCRIPTION', value: (r) => r.description },
  ]);
}
