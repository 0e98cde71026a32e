/** Reads a user's options file: JSON, or YAML (chosen by extension, or when the text is not JSON). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DcosError } from '../core/errors.js';
import { isObject, nestedTooDeep, TOO_DEEP } from '../core/json-checks.js';
import { codeFrame, findJsonSyntaxError, lineColumn } from '../core/json-syntax.js';
import type { JsonObject } from './options.js';

export async function readOptionsFile(cwd: string, file: string): Promise<JsonObject> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a directory' : code === 'EACCES' ? ': permission denied' : '';
    throw new DcosError('EOPTIONS_FILE', `Couldn't read options file '${file}'${reason}`, {
      cause: err,
      hint: code === 'ENOENT' ? `Looked for ${path}` : undefined,
    });
  }
  const isYaml = /\.ya?ml$/i.test(file);
  let value: unknown;
  if (!isYaml) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (/\.json$/i.test(file)) throw syntaxError(file, 'JSON', text, findJsonSyntaxError(text) ?? { reason: (err as Error).message });
    }
  }
  if (value === undefined) value = await parseYaml(file, text);
  if (value === null || value === undefined) return {};
  if (nestedTooDeep(value)) throw new DcosError('EOPTIONS_FILE', `Options file '${file}' ${TOO_DEEP}`);
  if (!isObject(value)) {
    throw new DcosError('EOPTIONS_FILE', `Options file '${file}' must contain an object, for example {"service": {"name": "kafka-2"}}`);
  }
  return value as JsonObject;
}

async function parseYaml(file: string, text: string): Promise<unknown> {
  const yaml = await import('yaml');
  // Bundled, the module may arrive as a default export.
  const parse = (yaml.parse ?? (yaml as unknown as { default: typeof yaml }).default.parse) as typeof yaml.parse;
  try {
    return parse(text, { prettyErrors: false });
  } catch (err) {
    // The YAML composer recurses per level: deep input ends in a stack overflow, reported as such.
    if (err instanceof RangeError || /Maximum call stack size exceeded/.test((err as Error).message)) {
      throw new DcosError('EOPTIONS_FILE', `Options file '${file}' ${TOO_DEEP}`);
    }
    // A YAMLParseError: its message says why, pos[0] where (the offset in the text).
    const pos = (err as { pos?: [number, number] }).pos;
    const at = pos ? lineColumn(text, pos[0]) : {};
    throw syntaxError(file, 'YAML or JSON', text, { reason: (err as Error).message, ...at });
  }
}

/** "Options file 'f' is not valid JSON: <reason> at line L, column C", with the line and a caret under it. */
function syntaxError(file: string, kind: string, text: string, at: { reason: string; line?: number; column?: number }): DcosError {
  const where = at.line !== undefined && at.column !== undefined ? ` at line ${at.line}, column ${at.column}` : '';
  const reason = at.reason.replace(/[\s:;,]+$/, '');
  const frame = where ? codeFrame(text, at.line as number, at.column as number) : [];
  return new DcosError('EOPTIONS_FILE', `Options file '${file}' is not valid ${kind}: ${reason}${where}`, {
    details: frame.map((message) => ({ message })),
    showDetails: true,
  });
}
