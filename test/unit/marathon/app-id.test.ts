import { describe, expect, it } from 'vitest';
import { appIdErrors, isValidAppId, normalizeAppId, parentOf } from '../../../src/marathon/app-id.js';

describe('normalizeAppId', () => {
  it.each([
    ['foo', '/foo'],
    ['/foo/', '/foo'],
    ['foo/bar/', '/foo/bar'],
    ['//a///b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/b/../c', '/a/c'],
    ['/../a', '/a'],
    ['/', '/'],
    ['', '/'],
  ])('%j becomes %j', (input, expected) => {
    expect(normalizeAppId(input)).toBe(expected);
  });

  it('resolves relative ids against a base group', () => {
    expect(normalizeAppId('db', '/prod')).toBe('/prod/db');
    expect(normalizeAppId('../web', '/prod/backend')).toBe('/prod/web');
    expect(normalizeAppId('/abs', '/prod')).toBe('/abs');
  });

  it('parentOf gives the enclosing group', () => {
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(parentOf('/a')).toBe('/');
  });
});

describe('isValidAppId / appIdErrors', () => {
  it.each(['/foo', 'foo', '/prod/db/mysql', '/a.b-c/d0', '/9', '/x/../y', '/my-app.v2'])('accepts %j', (id) => {
    expect(isValidAppId(id)).toBe(true);
    expect(appIdErrors(id)).toEqual([]);
  });

  it.each([
    ['/Foo', 'must fully match regular expression'],
    ['/foo_bar', 'must fully match regular expression'],
    ['/-foo', 'must fully match regular expression'],
    ['/foo-', 'must fully match regular expression'],
    ['/a..b', 'must fully match regular expression'],
    ['/foo/restart', 'reserved keywords: restart, tasks, versions'],
    ['/tasks', 'reserved keywords'],
    ['/a/versions/', 'reserved keywords'],
    ['/', 'Path must contain at least one path element'],
    ['/a/..', 'Path must contain at least one path element'],
  ])('rejects %j', (id, message) => {
    expect(isValidAppId(id)).toBe(false);
    expect(appIdErrors(id).join('\n')).toContain(message);
  });

  it('allows reserved words in non-final segments', () => {
    expect(isValidAppId('/tasks/worker')).toBe(true);
  });
});
