// Error collection and JSON type checks shared by the app validators.
// Paths follow Marathon's 422 style: "/" for object-level rules, "/a/b", array items as "(i)".
import type { ValidationDetail } from './app-types.js';

export type Json = Record<string, unknown>;

export class Issues {
  private readonly byPath = new Map<string, string[]>();

  add(path: string, message: string): void {
    const key = path === '' ? '/' : path;
    const list = this.byPath.get(key);
    if (!list) this.byPath.set(key, [message]);
    else if (!list.includes(message)) list.push(message);
  }

  details(): ValidationDetail[] {
    return [...this.byPath].map(([path, errors]) => ({ path, errors }));
  }
}

/** Join a field name onto a path ("" is the document root). */
export const at = (base: string, key: string): string => `${base}/${key}`;

/** Address an array element the way Marathon does: `/healthChecks(0)`. */
export const item = (base: string, index: number): string => `${base}(${index})`;

/** JSON-ish kind name for messages ("array", "null", "object", ...). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

/** Absent and null both mean "not given" (play-json reads null options as None). */
export const isAbsent = (value: unknown): value is undefined | null => value === undefined || value === null;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const typeError = (issues: Issues, path: string, expected: string, value: unknown): undefined => {
  issues.add(path, `expected ${expected}, got ${kindOf(value)}`);
  return undefined;
};

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** Checks an optional number; returns it when it is usable for further rules. */
export function checkNumber(issues: Issues, path: string, value: unknown, rule: NumberRule = {}): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return typeError(issues, path, rule.integer ? 'an integer' : 'a number', value);
  }
  if (rule.integer && !Number.isInteger(value)) {
    issues.add(path, `expected an integer, got ${value}`);
    return undefined;
  }
  if (rule.min !== undefined && value < rule.min) issues.add(path, `is less than ${rule.min}`);
  if (rule.max !== undefined && value > rule.max) issues.add(path, `is greater than ${rule.max}`);
  return value;
}

export function checkString(issues: Issues, path: string, value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  return typeof value === 'string' ? value : typeError(issues, path, 'a string', value);
}

export function checkBoolean(issues: Issues, path: string, value: unknown): boolean | undefined {
  if (isAbsent(value)) return undefined;
  return typeof value === 'boolean' ? value : typeError(issues, path, 'a boolean', value);
}

export function checkArray(issues: Issues, path: string, value: unknown): unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  return Array.isArray(value) ? value : typeError(issues, path, 'an array', value);
}

export function checkObject(issues: Issues, path: string, value: unknown): Json | undefined {
  if (isAbsent(value)) return undefined;
  return isObject(value) ? value : typeError(issues, path, 'an object', value);
}

export function checkEnum<T extends string>(
  issues: Issues,
  path: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  const text = checkString(issues, path, value);
  if (text === undefined) return undefined;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  issues.add(path, `must be one of ${allowed.join(', ')}, got '${text}'`);
  return undefined;
}

/** Array of strings: each bad element is reported at its own index. */
export function checkStringArray(issues: Issues, path: string, value: unknown): string[] | undefined {
  const list = checkArray(issues, path, value);
  if (!list) return undefined;
  list.forEach((entry, i) => checkString(issues, item(path, i), entry));
  return list.filter((entry): entry is string => typeof entry === 'string');
}

/** Object of string values (labels). */
export function checkStringMap(issues: Issues, path: string, value: unknown): Record<string, string> | undefined {
  const map = checkObject(issues, path, value);
  if (!map) return undefined;
  for (const [key, entry] of Object.entries(map)) {
    if (typeof entry !== 'string') typeError(issues, at(path, key), 'a string', entry);
  }
  return map as Record<string, string>;
}

/** Non-empty: reports `message` when the string exists but is empty. */
export function checkNonEmptyString(
  issues: Issues,
  path: string,
  value: unknown,
  message = 'must not be empty',
): string | undefined {
  const text = checkString(issues, path, value);
  if (text === '') issues.add(path, message);
  return text;
}

export const PORT_RULE: NumberRule = { integer: true, min: 0, max: 65535 };
export const NON_NEGATIVE_INT: NumberRule = { integer: true, min: 0 };
