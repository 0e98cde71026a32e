import type { Ctx } from '../../core/context.js';
import { noneFound, printJson, printTable } from '../../core/output.js';
import { nodeList } from '../../actions/readers.js';
import { reader } from '../shared.js';

export interface NodeListFlags {
  json?: boolean;
}

export async function run(ctx: Ctx, _args: readonly [], opts: NodeListFlags): Promise<void> {
  const rows = await nodeList(reader(ctx));
  if (opts.json) {
    printJson(ctx, rows.map((r) => ({ ...r.record, ip: r.ip ?? null, type: r.type, status: r.status })));
    return;
  }
  if (rows.length === 0) {
    noneFound(ctx, 'The cluster has no agents');
    return;
  }
  printTable(ctx, rows, [
    { header: 'HOSTNAME', value: (r) => r.hostname },
    { header: 'IP', value: (r) => r.ip },
    { header: 'ID', value: (r) => r.id },
    { header: 'TYPE', value: (r) => r.type },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'CPUS', value: (r) => `${r.cpus.used}/${r.cpus.total}`, align: 'right' },
    { header: 'MEM', value: (r) => `${r.mem.used}/${r.mem.total}`, align: 'right' },
    { header: 'DISK', value: (r) => `${r.disk.used}/${r.disk.total}`, align: 'right' },
  ]);
}
