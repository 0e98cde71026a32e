import type { Ctx } from '../../core/context.js';
import { printJson, printLines, printTable } from '../../core/output.js';
import { taskFiles } from '../../actions/readers.js';
import { reader } from '../shared.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `ls -l` style: "May 01 14:03". */
function formatDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export interface LsFlags {
  long?: boolean;
  json?: boolean;
}

export async function run(ctx: Ctx, [task, path]: readonly [string, string | undefined], opts: LsFlags): Promise<void> {
  const listing = await taskFiles(reader(ctx), task, path ?? '.');
  if (opts.json) {
    printJson(ctx, listing.entries);
    return;
  }
  if (!opts.long) {
    printLines(ctx, listing.entries.map((e) => e.name));
    return;
  }
  if (listing.entries.length === 0) return;
  printTable(ctx, listing.entries, [
    { header: 'MODE', value: (e) => e.mode },
    { header: 'NLINK', value: (e) => e.nlink, align: 'right' },
    { header: 'UID', value: (e) => e.uid },
    { header: 'GID', value: (e) => e.gid },
    { header: 'SIZE', value: (e) => e.size, align: 'right' },
    { header: 'DATE', value: (e) => formatDate(e.mtime) },
    { header: 'NAME', value: (e) => e.name },
  ]);
}
