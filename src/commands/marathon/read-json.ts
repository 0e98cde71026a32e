/** A JSON object from a file, an http(s) URL or stdin, for `app add` and `app update`. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Ctx } from '../../core/context.js';
import { DcosError, UsageError } from '../../core/errors.js';

async function readStdin(ctx: Ctx): Promise<string> {
  let text = '';
  ctx.stdin.setEncoding('utf8');
  for await (const chunk of ctx.stdin as AsyncIterable<string>) text += chunk;
  return text;
}

async function readResource(ctx: Ctx, resource: string): Promise<string> {
  if (/^https?:\/\//i.test(resource)) {
    try {
      const res = await fetch(resource, { signal: ctx.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.text();
    } catch (err) {
      throw new DcosError('EREAD', `can't read from resource: ${resource} (${(err as Error).message})`);
    }
  }
  try {
    return await readFile(resolve(ctx.cwd, resource), 'utf8');
  } catch {
    throw new DcosError('EREAD', `can't read from resource: ${resource}. Please check that it exists`);
  }
}

/** `what` names the input for the usage error when stdin is a terminal. */
export async function readJsonObject(ctx: Ctx, resource: string | undefined, what: string): Promise<Record<string, unknown>> {
  if (resource === undefined && ctx.stdin.isTTY) throw new UsageError(`Give ${what} as a file, or pipe it on stdin`);
  const text = resource === undefined ? await readStdin(ctx) : await readResource(ctx, resource);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DcosError('EJSON', `error loading JSON: ${(err as Error).message}`, { hint: resource ? `In ${resource}.` : 'From stdin.' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DcosError('EJSON', `error loading JSON: ${what} must be a JSON object`);
  // Checked just above: a JSON object, whose values are any JSON (TypeScript narrows it only to `object`).
  return value as Record<string, unknown>;
}
