// Error collection for the app validators, and the shared JSON checks in Marathon's wording.
// Paths follow Marathon's 422 style: "/" for object-level rules, "/a/b", array items as "(i)".
import { JsonChecks } from '../core/json-checks.js';
import type { ValidationDetail } from './app-types.js';

export type Json = Record<string, unknown>;

export class Issues {
  private readonly byPath = new Map<string, string[]>();
  /** The shared JSON checks, in Marathon's wording ("expected a string, got number") and paths. */
  readonly checks = new JsonChecks({
    mismatch: (path, expected, got) => this.add(path, `expected ${expected}, got ${got}`),
    key: at,
    index: item,
  });

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

/** Absent and null both mean "not given" (play-json reads null options as None). */
export const isAbsent = (value: unknown): value is undefined | null => value === undefined || value === null;

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** Checks an optional number; returns it when it is usable for further rules. */
export function checkNumber(issues: Issues, path: string, value: unknown, rule: NumberRule = {}): number | undefined {
  if (isAbsent(value)) return undefined;
  if (!issues.checks.number(value, path, rule.integer)) return undefined;
  if (rule.min !== undefined && value < rule.min) issues.add(path, `is less than ${rule.min}`);
  if (rule.max !== undefined && value > rule.max) issues.add(path, `is greater than ${rule.max}`);
  return value;
}

export function checkString(issues: Issues, path: string, value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  return issues.checks.string(value, path) ? value : undefined;
}

export function checkBoolean(issues: Issues, path: string, value: unknown): boolean | undefined {
  if (isAbsent(value)) return undefined;
  return issues.checks.boolean(value, path) ? value : undefined;
}

export function checkArray(issues: Issues, path: string, value: unknown): unknown[] | undefined {
  if (isAbsent(value)) return undefined;
  return issues.checks.array(value, path) ? value : undefined;
}

export function checkObject(issues: Issues, path: string, value: unknown): Json | undefined {
  if (isAbsent(value)) return undefined;
  return issues.checks.object(value, path) ? value : undefined;
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

/** Array of strings: each bad element is reported at its own index; the good ones are returned. */
export function checkStringArray(issues: Issues, path: string, value: unknown): string[] | undefined {
  const list = checkArray(issues, path, value);
  if (!list) return undefined;
  issues.checks.stringArray(list, path);
  return list.filter((entry): entry is string => typeof entry === 'string');
}

/** Object of string values (labels). */
export function checkStringMap(issues: Issues, path: string, value: unknown): Record<string, string> | undefined {
  const map = checkObject(issues, path, value);
  if (!map) return undefined;
  issues.checks.stringMap(map, path);
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
