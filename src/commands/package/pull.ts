import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, printJson, printTable } from '../../core/output.js';
import { pullPackage, type PullEvent } from '../../actions/package-pull.js';
import { actions } from '../shared.js';

export interface PullFlags {
  packageVersion?: string;
  /** Not declared as a required option: its absence is refused below, with its own message. */
  to?: string;
  json?: boolean;
}

export async function run(ctx: Ctx, [name]: readonly [string], opts: PullFlags): Promise<void> {
  if (opts.packageVersion === '') throw new UsageError('--package-version must not be empty');
  if (opts.to === undefined || opts.to === '') throw new UsageError('--to <dir> is required: the directory to pull the assets into');
  const result = await pullPackage(actions(ctx), {
    name,
    version: opts.packageVersion,
    dir: opts.to,
    onEvent: progress(ctx),
  });
  for (const img of result.images) info(ctx, `Not pulled: image ${img.image} ("${img.name}"): ${img.reason}`);
  const fresh = result.assets.filter((a) => a.status === 'pulled').length;
  info(ctx, `${result.packageName} ${result.packageVersion}: ${fresh} asset(s) pulled, ${result.assets.length - fresh} already there, into ${result.dir}`);
  if (opts.json) {
    printJson(ctx, result);
    return;
  }
  printTable(ctx, result.assets, [
    { header: 'FILE', value: (a) => a.file },
    { header: 'STATUS', value: (a) => a.status },
    { header: 'BYTES', value: (a) => a.bytes, align: 'right' },
    { header: 'CHECKSUM', value: (a) => `${a.algorithm}:${a.checksum}${a.verified ? '' : ' (unverified)'}` },
  ]);
}

/** On a terminal, a line per asset updated as its bytes arrive; otherwise a line when it is done. */
function progress(ctx: Ctx): (event: PullEvent) => void {
  const live = Boolean(ctx.stderr.isTTY) && !ctx.global.json && ctx.env.TERM !== 'dumb';
  let label = '';
  let last = 0;
  return (event) => {
    if (event.kind === 'start') {
      label = `[${event.index + 1}/${event.total}] ${event.asset.fileName}`;
      if (live) ctx.stderr.write(`${label} ...`);
    } else if (event.kind === 'progress' && live) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const pct = event.size ? ` ${Math.floor((event.bytes / event.size) * 100)}%` : '';
      ctx.stderr.write(`\r\x1b[K${label} ${mib(event.bytes)}${pct}`);
    } else if (event.kind === 'done') {
      const text = `${label} ${event.result.status === 'present' ? 'already there, checksum matches' : `pulled ${mib(event.result.bytes)}, ${event.result.verified ? `${event.result.algorithm} verified` : 'not verified'}`}`;
      if (live) ctx.stderr.write(`\r\x1b[K${text}\n`);
      else info(ctx, text);
    } else if (event.kind === 'failed') {
      if (live) ctx.stderr.write(`\r\x1b[K${label} failed\n`);
      else info(ctx, `${label} failed`);
    }
  };
}

function mib(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
