// Marathon PathId rules: ids are slash paths, canonicalised against a base before validation.

/** Each path segment must fully match this (Marathon's ID_PATH_SEGMENT_PATTERN, minus `.`/`..`). */
export const APP_ID_SEGMENT_PATTERN = /^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

const RESERVED_LAST_SEGMENTS = ['restart', 'tasks', 'versions', '.', '..'];

// Marathon's own wording (its pattern also admits `.`/`..`, which canonicalisation has removed).
export const APP_ID_PATTERN_MESSAGE =
  "must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'";
export const APP_ID_RESERVED_MESSAGE = `must not end with any of the following reserved keywords: ${RESERVED_LAST_SEGMENTS.join(', ')}`;
export const APP_ID_ROOT_MESSAGE = 'Path must contain at least one path element';

/**
 * Canonical absolute form of an id: relative ids resolve against `base` (default `/`),
 * empty segments and trailing slashes vanish, `.` and `..` are resolved (`..` stops at the root).
 */
export function normalizeAppId(id: string, base = '/'): string {
  const absolute = id.startsWith('/');
  const raw = absolute ? segmentsOf(id) : [...segmentsOf(base), ...segmentsOf(id)];
  const resolved: string[] = [];
  for (const segment of raw) {
    if (segment === '.') continue;
    if (segment === '..') resolved.pop();
    else resolved.push(segment);
  }
  return `/${resolved.join('/')}`;
}

/** Parent group of a canonical id (`/a/b` → `/a`, `/a` → `/`). */
export function parentOf(id: string): string {
  const segments = segmentsOf(normalizeAppId(id));
  return `/${segments.slice(0, -1).join('/')}`;
}

/** What keeps an id from naming an app: none, the root, a segment off the pattern, a reserved last word. */
interface IdIssues {
  root: boolean;
  badSegment?: string;
  reserved?: string;
}

function idIssues(id: string, base: string): IdIssues {
  const segments = segmentsOf(normalizeAppId(id, base));
  if (segments.length === 0) return { root: true };
  const last = segments[segments.length - 1];
  return {
    root: false,
    badSegment: segments.find((segment) => !APP_ID_SEGMENT_PATTERN.test(segment)),
    reserved: RESERVED_LAST_SEGMENTS.includes(last) ? last : undefined,
  };
}

/** Marathon's messages for an id that cannot name an app; empty when it can. */
export function appIdErrors(id: string, base = '/'): string[] {
  const issues = idIssues(id, base);
  if (issues.root) return [APP_ID_ROOT_MESSAGE];
  const errors: string[] = [];
  if (issues.badSegment !== undefined) errors.push(APP_ID_PATTERN_MESSAGE);
  if (issues.reserved !== undefined) errors.push(APP_ID_RESERVED_MESSAGE);
  return errors;
}

/** The rule Marathon's pattern encodes, in words, for people. */
export const APP_ID_RULE =
  'An app id is a path such as /team/kafka-1. Each part between slashes holds lowercase letters (a-z), digits, "-" and ".", ' +
  'and each of its "."-separated labels starts and ends with a letter or digit.';

/** What is wrong with an id, in words (undefined when it can name an app). */
export function appIdProblem(id: string): string | undefined {
  const { root, badSegment: bad, reserved } = idIssues(id, '/');
  if (root) return 'it names no app (the root "/" is a group)';
  if (bad !== undefined) {
    const others = [...new Set(bad.replace(/[a-z0-9.-]/g, ''))];
    if (others.length) {
      const shown = others.map((c) => (c === ' ' ? 'a space' : `"${c}"`)).join(', ');
      return `"${bad}" holds ${shown}: only lowercase letters, digits, "-" and "." are allowed`;
    }
    return `each "."-separated label of "${bad}" must start and end with a letter or digit`;
  }
  if (reserved !== undefined) return `it ends with "${reserved}", a word Marathon reserves for its own paths`;
  return undefined;
}

/** `/a/b` from a Marathon task id `a_b.<uuid>` (or `a_b.instance-<uuid>._app.1`). */
export function appIdOfTaskId(taskId: string): string | undefined {
  const m = /^(.+?)[._](?:instance-|marathon-)[^_.]+(?:[._].*)?$/.exec(taskId) ?? /^(.+)[._][^_.]+$/.exec(taskId);
  return m ? `/${m[1].replace(/_/g, '/')}` : undefined;
}

export function isValidAppId(id: string): boolean {
  return appIdErrors(id).length === 0;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}
