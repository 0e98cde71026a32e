/** The one set of JSON type checks that the package and Marathon validators share. */
import { describe, expect, it } from 'vitest';
import { isObject, JsonChecks, kindOf } from '../../../src/core/json-checks.js';
import { Checker } from '../../../src/universe/json-checks.js';
import { Issues, checkStringArray, checkStringMap } from '../../../src/marathon/validation-issues.js';

function recorder() {
  const seen: string[] = [];
  const checks = new JsonChecks({
    mismatch: (path, expected, got) => seen.push(`${path}: ${expected} / ${got}`),
    key: (path, key) => `${path}.${key}`,
    index: (path, i) => `${path}[${i}]`,
  });
  return { seen, checks };
}

describe('core JSON checks', () => {
  it('tells objects from arrays and null, and names kinds', () => {
    expect([{}, [], null, 'x', 1].map(isObject)).toEqual([true, false, false, false, false]);
    expect([{}, [], null, 'x', 1, Infinity].map(kindOf)).toEqual(['object', 'array', 'null', 'string', 'number', 'Infinity']);
  });

  it('reports every mismatch through the reporter, in its path syntax', () => {
    const { seen, checks } = recorder();
    expect(checks.number(1.5, '/n', true)).toBe(false);
    expect(checks.number('1', '/m')).toBe(false);
    expect(checks.stringArray(['a', 2, 'c', false], '/list')).toBe(false);
    expect(checks.stringMap({ a: 'x', b: 3 }, '/map')).toBe(false);
    expect(checks.object([], '/o')).toBe(false);
    expect(checks.string('s', '/s') && checks.boolean(true, '/b') && checks.number(3, '/i', true)).toBe(true);
    expect(seen).toEqual([
      '/n: an integer / 1.5',
      '/m: a number / string',
      '/list[1]: a string / number',
      '/list[3]: a string / boolean',
      '/map.b: a string / number',
      '/o: an object / array',
    ]);
  });

  it('is what both the package checker and the Marathon validators report with', () => {
    const c = new Checker();
    c.stringArray(['ok', 1], '/tags');
    c.stringMap({ 'a/b': 2 }, '/uris');
    expect(c.problems).toEqual([
      { path: '/tags/1', message: 'must be a string, got number' },
      { path: '/uris/a~1b', message: 'must be a string, got number' },
    ]);
    const issues = new Issues();
    checkStringArray(issues, '/args', ['ok', 1]);
    checkStringMap(issues, '/labels', { a: 2 });
    expect(issues.details()).toEqual([
      { path: '/args(1)', errors: ['expected a string, got number'] },
      { path: '/labels/a', errors: ['expected a string, got number'] },
    ]);
  });
});
