/**
 * Small structural checks that collect problems with JSON Pointer paths, for validating package
 * files on load without compiling JSON Schemas (loading a repository must stay cheap).
 */

export interface Problem {
  path: string;
  message: string;
}

export class Checker {
  readonly problems: Problem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path: path || '/', message });
  }

  isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  object(value: unknown, path: string): value is Record<string, unknown> {
    if (this.isObject(value)) return true;
    this.add(path, `must be an object, got ${typeName(value)}`);
    return false;
  }

  string(value: unknown, path: string, pattern?: RegExp, patternText?: string): value is string {
    if (typeof value !== 'string') {
      this.add(path, `must be a string, got ${typeName(value)}`);
      return false;
    }
    if (pattern && !pattern.test(value)) {
      this.add(path, `"${value}" must match ${patternText ?? pattern.source}`);
      return false;
    }
    return true;
  }

  boolean(value: unknown, path: string): void {
    if (typeof value !== 'boolean') this.add(path, `must be a boolean, got ${typeName(value)}`);
  }

  number(value: unknown, path: string): void {
    if (typeof value !== 'number') this.add(path, `must be a number, got ${typeName(value)}`);
  }

  stringArray(value: unknown, path: string, pattern?: RegExp, patternText?: string): void {
    if (!Array.isArray(value)) {
      this.add(path, `must be an array of strings, got ${typeName(value)}`);
      return;
    }
    value.forEach((item, i) => this.string(item, `${path}/${i}`, pattern, patternText));
  }

  stringMap(value: unknown, path: string): void {
    if (!this.object(value, path)) return;
    for (const [k, v] of Object.entries(value)) this.string(v, `${path}/${escapePointer(k)}`);
  }

  /** Flags keys not in `allowed`. */
  known(value: Record<string, unknown>, path: string, allowed: readonly string[], why = ''): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(`${path}/${escapePointer(key)}`, `unknown property "${key}"${why}`);
    }
  }
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Parses JSON, reporting the position of a syntax error. */
export function parseJsonText(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: `invalid JSON: ${(err as Error).message}` };
  }
}
