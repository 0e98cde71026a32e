/**
 * Structural checks of package files that collect problems with JSON Pointer paths, on the shared
 * JSON checks, for validating package files on load without compiling JSON Schemas (loading a
 * repository must stay cheap).
 */
import { JsonChecks, nestedTooDeep, TOO_DEEP } from '../core/json-checks.js';
import { findJsonSyntaxError } from '../core/json-syntax.js';

export interface Problem {
  path: string;
  message: string;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export class Checker extends JsonChecks {
  readonly problems: Problem[] = [];

  constructor() {
    super({
      mismatch: (path, expected, got) => this.add(path, `must be ${expected}, got ${got}`),
      key: (path, key) => `${path}/${escapePointer(key)}`,
      index: (path, index) => `${path}/${index}`,
    });
  }

  add(path: string, message: string): void {
    this.problems.push({ path: path || '/', message });
  }

  /** A string, matching `pattern` when given (`patternText` says what it means). */
  override string(value: unknown, path: string, pattern?: RegExp, patternText?: string): value is string {
    if (!super.string(value, path)) return false;
    if (pattern && !pattern.test(value)) {
      this.add(path, `"${value}" must match ${patternText ?? pattern.source}`);
      return false;
    }
    return true;
  }

  /** An array of strings, each matching `pattern` when given. */
  override stringArray(value: unknown, path: string, pattern?: RegExp, patternText?: string): value is string[] {
    if (!this.array(value, path, 'an array of strings')) return false;
    let ok = true;
    value.forEach((item, i) => {
      if (!this.string(item, `${path}/${i}`, pattern, patternText)) ok = false;
    });
    return ok;
  }

  /** Flags keys not in `allowed`. */
  known(value: Record<string, unknown>, path: string, allowed: readonly string[], why = ''): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(`${path}/${escapePointer(key)}`, `unknown property "${key}"${why}`);
    }
  }
}

/** Parses JSON, reporting the position of a syntax error, or that it nests too deep to check. */
export function parseJsonText(text: string): { value?: unknown; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = findJsonSyntaxError(text);
    return { error: `invalid JSON: ${at ? `${at.reason} at line ${at.line}, column ${at.column}` : (err as Error).message}` };
  }
  return nestedTooDeep(value) ? { error: TOO_DEEP } : { value };
}
