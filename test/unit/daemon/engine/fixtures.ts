// Small builders shared by the engine tests.
import { normalizeApp } from '../../../../src/marathon/app-defaults.js';
import type { AppDefinition, NormalizedApp } from '../../../../src/marathon/app-types.js';
import type { Task } from '../../../../src/daemon/types.js';

export const T0 = Date.parse('2024-01-01T00:00:00.000Z');

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function makeTask(overrides: Partial<Task> & { id: string }): Task {
  return {
    appId: '/web',
    version: iso(T0),
    state: 'TASK_RUNNING',
    goal: 'running',
    host: '127.0.0.1',
    ports: [],
    servicePorts: [],
    stagedAt: iso(T0),
    startedAt: iso(T0),
    pid: null,
    pidStart: null,
    sandbox: '/tmp',
    message: null,
    exitCode: null,
    finishedAt: null,
    healthCheckResults: [],
    resources: { cpus: 1, mem: 128, disk: 0, gpus: 0 },
    ...overrides,
  };
}

/** A normalized app with version info, as the daemon stores it. */
export function makeApp(definition: Partial<AppDefinition> & { id: string }, version = iso(T0), configChange = version): NormalizedApp {
  return {
    ...normalizeApp({ cmd: 'serve', ...definition }),
    version,
    versionInfo: { lastScalingAt: version, lastConfigChangeAt: configChange },
  };
}

export function appsOf(...apps: NormalizedApp[]): Map<string, NormalizedApp> {
  return new Map(apps.map((app) => [app.id, app]));
}
