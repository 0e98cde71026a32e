/**
 * Turning Marathon API bodies into stored app definitions: validation (422 with Marathon's details),
 * defaults, service ports, and the version bookkeeping that tells a scale from a config change.
 */
import { normalizeApp } from '../../marathon/app-defaults.js';
import { validateApp, validateAppUpdate } from '../../marathon/app-validation.js';
import type { AppDefinition, NormalizedApp } from '../../marathon/app-types.js';
import { lookupUserAsync, resolveTaskUser } from '../agent/task-user.js';
import { ApiError } from './api-error.js';
import { isUpgrade } from '../../marathon/app-changes.js';

export interface StoredApp extends NormalizedApp {
  version: string;
  versionInfo: { lastScalingAt: string; lastConfigChangeAt: string };
}

/** What a change does to an app, which decides its deployment action. */
export type ChangeKind = 'none' | 'scale' | 'config';

export function invalid(details: Array<{ path: string; errors: string[] }>): ApiError {
  return new ApiError(422, { message: 'Object is not valid', details });
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(422, { message: 'Invalid JSON', details: [{ path: '/', errors: ['error.expected.jsobject'] }] });
  }
  return body as Record<string, unknown>;
}

/**
 * Validates a full app definition and fills Marathon's defaults. `current` is the app it replaces:
 * its `user` is checked only when this definition sets or changes it, so an app whose user has
 * since left the node can still be scaled, updated otherwise, or wound down.
 */
export function normalizeBody(body: unknown, idFromPath?: string, current?: StoredApp): NormalizedApp {
  const obj = { ...requireObject(body) };
  if (idFromPath !== undefined) obj.id = idFromPath;
  const details = validateApp(obj);
  if (details.length) throw invalid(details);
  // `user` is honoured, not just kept: refuse one this node cannot run tasks as.
  const user = typeof obj.user === 'string' ? obj.user : null;
  if (user !== (current?.user ?? null)) {
    const who = resolveTaskUser(user);
    if (!who.ok) throw invalid([{ path: '/user', errors: [who.problem] }]);
  }
  return normalizeApp(obj as unknown as AppDefinition);
}

/**
 * Looks up the user a request body names without blocking the daemon, so the validation that
 * follows (synchronous) finds the answer cached.
 */
export async function lookUpUserOf(body: unknown): Promise<void> {
  const user = typeof body === 'object' && body !== null ? (body as { user?: unknown }).user : undefined;
  if (typeof user === 'string' && user !== '') await lookupUserAsync(user);
}

/** Checks the rules that apply to an update body on its own (the `version`-only rollback form). */
export function checkUpdateBody(body: unknown): Record<string, unknown> {
  const obj = requireObject(body);
  const details = validateAppUpdate(obj);
  if (details.length) throw invalid(details);
  return obj;
}

export function isRollbackBody(body: Record<string, unknown>): boolean {
  return typeof body.version === 'string' && Object.keys(body).every((k) => k === 'version' || k === 'id');
}

export function classifyChange(current: StoredApp, target: NormalizedApp): ChangeKind {
  if (isUpgrade(current, target)) return 'config';
  return current.instances !== target.instances ? 'scale' : 'none';
}

/** Applies Marathon's version rules: a config change re-versions everything, a scale only lastScalingAt. */
export function versioned(target: NormalizedApp, kind: ChangeKind | 'create' | 'restart', now: string, current?: StoredApp): StoredApp {
  const previous = current?.versionInfo;
  switch (kind) {
    case 'create':
    case 'config':
      return { ...target, version: now, versionInfo: { lastScalingAt: now, lastConfigChangeAt: now } };
    case 'scale':
      return { ...target, version: now, versionInfo: { lastScalingAt: now, lastConfigChangeAt: previous?.lastConfigChangeAt ?? now } };
    case 'restart':
      return { ...target, version: now, versionInfo: { lastScalingAt: previous?.lastScalingAt ?? now, lastConfigChangeAt: now } };
    default:
      if (!current) throw new Error('an unchanged app needs its current version');
      return { ...target, version: current.version, versionInfo: current.versionInfo };
  }
}

/** Merges a partial update onto the current app (absent fields keep their values). */
export function mergePartial(current: StoredApp, body: Record<string, unknown>): Record<string, unknown> {
  const { version: _v, versionInfo: _vi, ...rest } = current;
  const merged: Record<string, unknown> = { ...rest, ...body, id: current.id };
  // A body that switches to `ports` or `args` replaces the current alternatives.
  if ('ports' in body) delete merged.portDefinitions;
  if ('args' in body && body.args !== null) merged.cmd = body.cmd ?? null;
  if ('cmd' in body && body.cmd !== null) merged.args = body.args ?? null;
  if ('uris' in body) delete merged.fetch;
  for (const key of Object.keys(merged)) if (merged[key] === null) delete merged[key];
  return merged;
}

/**
 * Gives `port: 0` port definitions a service port nobody else uses (Marathon's 10000-20000), and
 * keeps the ports the app already had.
 */
export function assignServicePorts(app: NormalizedApp, used: Set<number>, range: [number, number], current?: StoredApp): NormalizedApp {
  const defs = app.portDefinitions ?? [];
  if (!defs.some((d) => !d.port)) return app;
  const previous = (current?.portDefinitions ?? []).map((d) => d.port).filter((p): p is number => Boolean(p));
  let next = range[0];
  const take = (): number => {
    const reuse = previous.shift();
    if (reuse !== undefined && !used.has(reuse)) {
      used.add(reuse);
      return reuse;
    }
    while (used.has(next) && next <= range[1]) next++;
    if (next > range[1]) throw new ApiError(422, { message: `No free service ports left in ${range[0]}-${range[1]}` });
    used.add(next);
    return next;
  };
  return { ...app, portDefinitions: defs.map((d) => (d.port ? d : { ...d, port: take() })) };
}
