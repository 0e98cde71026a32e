/**
 * Output helpers. stdout carries data only (tables, JSON, ids); everything else goes to stderr.
 * Tables follow the DC/OS rules: UPPERCASE headings, two spaces between columns, strings
 * left-aligned, numbers right-aligned, `---` for an empty cell.
 */
import type { Ctx } from './context.js';
import { styler } from './tty.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | undefined | null;
  align?: 'left' | 'right';
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  // Each value is computed once: listings of thousands of tasks go through here.
  const raw = rows.map((row) => columns.map((col) => col.value(row)));
  const cells = raw.map((values) => values.map((v) => (v === undefined || v === null || v === '' ? '---' : String(v))));
  const rightAligned = columns.map(
    (col, i) => col.align === 'right' || (col.align === undefined && raw.length > 0 && raw.every((values) => typeof values[i] === 'number')),
  );
  const widths = columns.map((col, i) => {
    let w = col.header.length;
    for (const r of cells) if (r[i].length > w) w = r[i].length;
    return w;
  });
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        if (rightAligned[i]) return v.padStart(widths[i]);
        return i === values.length - 1 ? v : v.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header.toUpperCase()))];
  for (const r of cells) out.push(line(r));
  return out.join('\n') + '\n';
}

export function printTable<T>(ctx: Ctx, rows: readonly T[], columns: readonly Column<T>[]): void {
  ctx.stdout.write(renderTable(rows, columns));
}

export function printJson(ctx: Ctx, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Plain data lines on stdout. */
export function printLines(ctx: Ctx, lines: readonly string[]): void {
  if (lines.length) ctx.stdout.write(lines.join('\n') + '\n');
}

/**
 * Progress and notes: stderr, never in the way of data. With --json, one JSON line
 * (`{"info":{"message"}}`), so that stderr can be read line by line as JSON.
 */
export function info(ctx: Ctx, message: string): void {
  if (ctx.global.json) {
    ctx.stderr.write(JSON.stringify({ info: { message: message.replace(/\n+$/, '') } }) + '\n');
    return;
  }
  ctx.stderr.write(message.endsWith('\n') ? message : message + '\n');
}

/**
 * A listing that matched nothing. The rule for every listing: that is a success (exit 0), stdout
 * gets nothing in a table (an empty document with --json, which the command prints), and this
 * note goes to stderr.
 */
export function noneFound(ctx: Ctx, message: string, hint?: string): void {
  info(ctx, hint ? `${message}\n${hint}` : message);
}

export function warn(ctx: Ctx, message: string): void {
  if (ctx.global.json) {
    // With --json, stderr carries JSON lines too, so a script can read warnings and the error alike.
    ctx.stderr.write(JSON.stringify({ warning: { message } }) + '\n');
    return;
  }
  const s = styler(ctx, ctx.stderr);
  ctx.stderr.write(`${s('yellow', 'Warning:')} ${message}\n`);
}

/** Cut a string to `max` characters, ending with "..." when cut. */
export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  return oneLine.length > max ? oneLine.slice(0, max - 3) + '...' : oneLine;
}
