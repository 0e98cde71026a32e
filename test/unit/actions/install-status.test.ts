/** The status package list gives an install, from what a Marathon cluster says of its app. */
import { describe, expect, it } from 'vitest';
import { statusOf as statusOfService } from '../../../src/actions/installed.js';
import type { MarathonAppStatus as SchedulerApp } from '../../../src/scheduler/marathon/api-types.js';
import { serviceOf } from '../../../src/scheduler/marathon/translate.js';

/** The status of an app as Marathon reports it, through the Marathon driver's translation. */
const statusOf = (app: SchedulerApp) => statusOfService(serviceOf(app));

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function app(over: Partial<SchedulerApp>): SchedulerApp {
  return {
    id: '/a', instances: 2, cpus: 0.1, mem: 32, cmd: 'x', labels: {}, healthChecks: [{ protocol: 'HTTP' }],
    version: T(10), versionInfo: { lastConfigChangeAt: T(0), lastScalingAt: T(10) },
    tasksRunning: 1, tasksHealthy: 1, tasksStaged: 0, tasksUnhealthy: 0, deployments: [{ id: 'd' }], ...over,
  } as SchedulerApp;
}
const failure = (at: number, version = T(0)) => ({ taskId: 'a.1', state: 'TASK_KILLED', message: 'Killed as unhealthy: HTTP 500', timestamp: T(at), version });

describe('statusOf', () => {
  it('is failed when tasks of the current configuration failed since the last change and too few are up', () => {
    expect(statusOf(app({ lastTaskFailure: failure(12) }))).toEqual({ status: 'failed', problem: 'Killed as unhealthy: HTTP 500 (TASK_KILLED, task a.1)' });
  });

  it('is not failed by a failure from before the last scale: a scale-up in progress is deploying', () => {
    expect(statusOf(app({ lastTaskFailure: failure(5) })).status).toBe('deploying');
  });

  it('is not failed by a failure of the previous configuration', () => {
    const changed = app({ version: T(20), versionInfo: { lastConfigChangeAt: T(20), lastScalingAt: T(20) }, lastTaskFailure: failure(21, T(0)) });
    expect(statusOf(changed).status).toBe('deploying');
  });

  it('is running once enough tasks are up, whatever failed before', () => {
    expect(statusOf(app({ tasksHealthy: 2, tasksRunning: 2, deployments: [], lastTaskFailure: failure(12) })).status).toBe('running');
  });
});
