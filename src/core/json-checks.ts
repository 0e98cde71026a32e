/**
 * The small JSON type checks every validator shares (package files, options, Marathon apps). Each
 * validator keeps its own wording and path syntax and passes them in; the checks are the same.
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON kind of a value for messages ("array", "null", "object", ...). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

export interface CheckReporter {
  /** `value` at `path` is not `expected` ("a string", "an object", ...); `got` names what it is. */
  mismatch(path: string, expected: string, got: string): void;
  /** The path of a member or an element, in the validator's syntax. */
  key(path: string, key: string): string;
  index(path: string, index: number): string;
}

export class JsonChecks {
  constructor(protected readonly reporter: CheckReporter) {}

  object(value: unknown, path: string): value is Record<string, unknown> {
    if (isObject(value)) return true;
    this.reporter.mismatch(path, 'an object', kindOf(value));
    return false;
  }

  array(value: unknown, path: string, expected = 'an array'): value is unknown[] {
    if (Array.isArray(value)) return true;
    this.reporter.mismatch(path, expected, kindOf(value));
    return false;
  }

  string(value: unknown, path: string): value is string {
    if (typeof value === 'string') return true;
    this.reporter.mismatch(path, 'a string', kindOf(value));
    return false;
  }

  boolean(value: unknown, path: string): value is boolean {
    if (typeof value === 'boolean') return true;
    this.reporter.mismatch(path, 'a boolean', kindOf(value));
    return false;
  }

  /** A finite number; with `integer`, a whole one (a fraction is named by its value). */
  number(value: unknown, path: string, integer = false): value is number {
    const expected = integer ? 'an integer' : 'a number';
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.reporter.mismatch(path, expected, kindOf(value));
      return false;
    }
    if (integer && !Number.isInteger(value)) {
      this.reporter.mismatch(path, expected, String(value));
      return false;
    }
    return true;
  }

  /** An array whose every element is a string; each bad element is reported at its own path. */
  stringArray(value: unknown, path: string): value is string[] {
    if (!this.array(value, path, 'an array of strings')) return false;
    let ok = true;
    value.forEach((entry, i) => {
      if (!this.string(entry, this.reporter.index(path, i))) ok = false;
    });
    return ok;
  }

  /** An object whose every value is a string (labels, environment, assets). */
  stringMap(value: unknown, path: string): value is Record<string, string> {
    if (!this.object(value, path)) return false;
    let ok = true;
    for (const [key, entry] of Object.entries(value)) {
      if (!this.string(entry, this.reporter.key(path, key))) ok = false;
    }
    return ok;
  }
}

/**
 * How deep JSON from users (package files, options, indexes) may nest. Real Universe packages
 * nest under 20 levels; the validators and the renderer recurse, so anything deeper is refused
 * with this message instead of overflowing the stack.
 */
export const MAX_JSON_DEPTH = 100;
export const TOO_DEEP = `is nested too deep: more than ${MAX_JSON_DEPTH} levels of objects and arrays`;

/** Whether objects and arrays nest in `value` more than MAX_JSON_DEPTH levels deep (found without recursion). */
export function nestedTooDeep(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_JSON_DEPTH) return true;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
