/** The one place an error becomes text on stderr and an exit code. */
import type { Ctx } from './context.js';
import { ExitCode, isDcosError } from './errors.js';
import { styler } from './tty.js';

export function printError(ctx: Ctx, err: unknown): number {
  const known = isDcosError(err);
  const exitCode = known ? err.exitCode : ExitCode.failure;
  if (ctx.global.json) {
    const body = known
      ? { code: err.code, message: err.message, hint: err.hint, details: err.details.length ? err.details : undefined }
      : { code: 'EBUG', message: `Unexpected internal error: ${messageOf(err)}` };
    ctx.stderr.write(JSON.stringify({ error: body }) + '\n');
    return exitCode;
  }
  const s = styler(ctx, ctx.stderr);
  const lines: string[] = [];
  if (known) {
    lines.push(`${s('red', 'Error:')} ${err.message}`);
    if (err.details.length && (err.showDetails || ctx.global.verbose > 0)) {
      for (const d of err.details) lines.push(d.path ? `  ${s('bold', d.path)}: ${d.message}` : `  ${d.message}`);
    }
    if (err.hint) lines.push(err.hint);
    if (ctx.global.verbose > 0 && err.cause !== undefined) lines.push(`Cause: ${messageOf(err.cause)}`);
    if (ctx.global.verbose > 1 && err.stack) lines.push(err.stack);
  } else {
    lines.push(`${s('red', 'Error:')} Unexpected internal error: ${messageOf(err)}`);
    lines.push('This is a bug in dcos. Run the command again with -v to see where it happened, and report it.');
    if (ctx.global.verbose > 0 && err instanceof Error && err.stack) lines.push(err.stack);
  }
  ctx.stderr.write(lines.join('\n') + '\n');
  return exitCode;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
