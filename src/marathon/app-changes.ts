// How a Marathon app definition changed between two versions, in Marathon's terms (AppDefinition.isUpgrade,
// isOnlyScaleChange, needsRestart). Compared on canonical JSON so key order and null-vs-absent never matter.
import type { NormalizedApp } from './app-types.js';

/** Fields whose change replaces every task (Marathon's `isUpgrade`, plus what the API echoes). */
const UPGRADE_FIELDS = [
  'cmd',
  'args',
  'user',
  'env',
  'cpus',
  'mem',
  'disk',
  'gpus',
  'executor',
  'constraints',
  'fetch',
  'portDefinitions',
  'requirePorts',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'container',
  'healthChecks',
  'taskKillGracePeriodSeconds',
  'dependencies',
  'upgradeStrategy',
  'labels',
  'acceptedResourceRoles',
  'ipAddress',
  'networks',
  'readinessChecks',
  'residency',
  'secrets',
  'unreachableStrategy',
  'killSelection',
  'tty',
  'role',
  'resourceLimits',
] as const;

/** Marathon keeps these as sets: reordering them is not a change. */
const SET_FIELDS = new Set<string>(['constraints', 'healthChecks', 'dependencies', 'acceptedResourceRoles']);

/** JSON with sorted keys; `null`/`undefined` members vanish (Marathon reads both as "not given"). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== null && member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function fieldJson(app: NormalizedApp, field: string): string {
  const value = app[field];
  if (SET_FIELDS.has(field) && Array.isArray(value)) return `[${value.map(canonicalJson).sort().join(',')}]`;
  return canonicalJson(value);
}

/** Whether the tasks of `from` no longer match `to` (anything but instances/version changed). */
export function isUpgrade(from: NormalizedApp, to: NormalizedApp): boolean {
  return UPGRADE_FIELDS.some((field) => fieldJson(from, field) !== fieldJson(to, field));
}

export function isOnlyScaleChange(from: NormalizedApp, to: NormalizedApp): boolean {
  return !isUpgrade(from, to) && from.instances !== to.instances;
}

/** A config change, or a restart (which bumps `versionInfo.lastConfigChangeAt` alone). */
export function needsRestart(from: NormalizedApp, to: NormalizedApp): boolean {
  return isUpgrade(from, to) || from.versionInfo?.lastConfigChangeAt !== to.versionInfo?.lastConfigChangeAt;
}

/** Whole-definition equality, version included (what Marathon's plan and reverter use). */
export function sameDefinition(a: NormalizedApp, b: NormalizedApp): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
