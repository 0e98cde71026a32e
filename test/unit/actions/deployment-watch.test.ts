/**
 * The deployment watch on a Marathon cluster: the real Marathon driver over a scripted Marathon
 * client (a test double of the cluster: the real daemon cannot be told to fail at a given moment).
 * What a timeout and a stuck queue are reported as.
 */
import { describe, expect, it } from 'vitest';
import { ChangeLines, QUEUE_REPEAT_MS, watchDeployment } from '../../../src/actions/deployment-watch.js';
import type { WatchSnapshot } from '../../../src/actions/watch-types.js';
import { isDcosError } from '../../../src/core/errors.js';
import { PERMANENT_FAILURE_MARK } from '../../../src/core/task-failure.js';
import type { MarathonAppStatus as SchedulerApp, MarathonDeployment, MarathonEvent as ClusterEvent, MesosState, QueueItem } from '../../../src/scheduler/marathon/api-types.js';
import type { MarathonClient } from '../../../src/scheduler/marathon/client.js';
import { MarathonDriver } from '../../../src/scheduler/marathon/driver.js';
import type { Scheduler } from '../../../src/scheduler/types.js';

interface Script {
  app: Partial<SchedulerApp>;
  events?: ClusterEvent[];
  queue?: QueueItem[];
  deployments?: MarathonDeployment[];
  state?: MesosState;
}

/** Only what the watch calls (through the driver); everything else would be a bug in the watch. */
function scriptedScheduler(script: Script): Scheduler {
  const app: SchedulerApp = {
    id: '/a', instances: 1, cpus: 1, mem: 32, cmd: 'x', labels: {}, healthChecks: [], version: 'v1',
    tasksRunning: 0, tasksHealthy: 0, tasksStaged: 0, tasksUnhealthy: 0, deployments: [{ id: 'd1' }], tasks: [], ...script.app,
  } as SchedulerApp;
  const missing = () => {
    throw new Error('not used by the watch');
  };
  const client = {
    url: 'http://scripted',
    getApp: async () => app,
    listDeployments: async () => script.deployments ?? [{ id: 'd1', version: 'v1', affectedApps: ['/a'], steps: [{ actions: [{ action: 'ScaleApplication', app: '/a' }] }], currentActions: [{ action: 'ScaleApplication', app: '/a' }], currentStep: 1, totalSteps: 1 }],
    queue: async () => script.queue ?? [],
    mesosState: async () => script.state ?? missing(),
    async *events(signal: AbortSignal) {
      for (const e of script.events ?? []) yield e;
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
    agentState: async () => ({ frameworks: [] }),
    readFile: async () => ({ data: '', offset: 0 }),
    browse: async () => [],
  } as unknown as MarathonClient;
  return new MarathonDriver(client);
}

async function failure(p: Promise<unknown>): Promise<{ exitCode: number; message: string; details: string[] }> {
  try {
    await p;
  } catch (err) {
    if (!isDcosError(err)) throw err;
    return { exitCode: err.exitCode, message: err.message, details: err.details.map((d) => `${d.path}: ${d.message}`) };
  }
  throw new Error('the watch succeeded');
}

const sickTask = { id: 'a.3', appId: '/a', host: '127.0.0.1', ports: [1], state: 'TASK_RUNNING', version: 'v1', stagedAt: null, startedAt: null, healthCheckResults: [{ alive: false, consecutiveFailures: 1, firstSuccess: null, lastSuccess: null, lastFailure: 'x', lastFailureCause: 'HTTP 500 from /health', instanceId: 'a.3' }] };

describe('watchDeployment', () => {
  it('lists what failed so far when it times out, not only the counts', async () => {
    const scheduler = scriptedScheduler({
      app: { healthChecks: [{ protocol: 'HTTP' }], tasks: [sickTask] as SchedulerApp['tasks'], lastTaskFailure: { taskId: 'a.2', state: 'TASK_KILLED', message: 'Killed as unhealthy: HTTP 500 from /health', timestamp: new Date(Date.now() + 1000).toISOString(), version: 'v1' } },
      events: [
        { eventType: 'unhealthy_instance_kill_event', appId: '/a', taskId: 'a.1', reason: 'HTTP 500 from /health' },
        { eventType: 'unhealthy_instance_kill_event', appId: '/a', taskId: 'a.2', reason: 'HTTP 500 from /health' },
      ],
    });
    const f = await failure(watchDeployment(scheduler, { appId: '/a', goal: 'running', timeoutMs: 300, signal: new AbortController().signal, onEvent: () => undefined }));
    expect(f.exitCode).toBe(4);
    expect(f.details).toContain('tasks: 1/1 running, 0/1 healthy');
    expect(f.details).toContain('killed as unhealthy: 2 task(s); the last, a.2: HTTP 500 from /health');
    expect(f.details).toContain('a.3: health check fails: HTTP 500 from /health');
  });

  it('gives up early, exit 3, when a queued task has no room and nothing will free any', async () => {
    const state: MesosState = {
      slaves: [{ id: 'S1', hostname: '127.0.0.1', pid: 'slave(1)@127.0.0.1:1', active: true, resources: { cpus: 2, mem: 4096, disk: 100 }, used_resources: { cpus: 1.5, mem: 100, disk: 0 } }],
      frameworks: [{ id: 'F', name: 'marathon', active: true, tasks: [{ id: 'db.1', name: 'db', state: 'TASK_RUNNING', slave_id: 'S1', framework_id: 'F', resources: { cpus: 1.5, mem: 100, disk: 0 } }], completed_tasks: [] }],
    };
    const queue: QueueItem[] = [{ app: { id: '/a', cpus: 1, mem: 32 }, count: 1, delay: { timeLeftSeconds: 0, overdue: true }, lastUnusedOfferReason: 'Not enough resources on this node: cpus: needs 1, 0.5 free' }];
    const started = Date.now();
    const f = await failure(watchDeployment(scriptedScheduler({ app: {}, queue, state }), { appId: '/a', goal: 'running', timeoutMs: 60_000, signal: new AbortController().signal, onEvent: () => undefined }));
    expect(f.exitCode).toBe(3);
    expect(f.message).toBe('/a cannot be placed: needs 1 cpus, 0.5 free, and no task on the cluster is going to free enough (nothing else is deploying)');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('keeps waiting while another app is deploying, which may free room', async () => {
    const state: MesosState = {
      slaves: [{ id: 'S1', hostname: '127.0.0.1', pid: 'slave(1)@127.0.0.1:1', active: true, resources: { cpus: 2, mem: 4096, disk: 100 }, used_resources: { cpus: 1.5, mem: 100, disk: 0 } }],
      frameworks: [{ id: 'F', name: 'marathon', active: true, tasks: [{ id: 'db.1', name: 'db', state: 'TASK_RUNNING', slave_id: 'S1', framework_id: 'F', resources: { cpus: 1.5, mem: 100, disk: 0 } }], completed_tasks: [] }],
    };
    const queue: QueueItem[] = [{ app: { id: '/a', cpus: 1, mem: 32 }, count: 1, delay: { timeLeftSeconds: 0, overdue: true } }];
    const deployments = [
      { id: 'd1', version: 'v1', affectedApps: ['/a'], steps: [{ actions: [{ action: 'StartApplication', app: '/a' }] }], currentActions: [{ action: 'StartApplication', app: '/a' }], currentStep: 1, totalSteps: 1 },
      { id: 'd2', version: 'v1', affectedApps: ['/db'], steps: [{ actions: [{ action: 'ScaleApplication', app: '/db' }] }], currentActions: [{ action: 'ScaleApplication', app: '/db' }], currentStep: 1, totalSteps: 1 },
    ];
    const f = await failure(watchDeployment(scriptedScheduler({ app: {}, queue, state, deployments }), { appId: '/a', goal: 'running', timeoutMs: 4000, signal: new AbortController().signal, onEvent: () => undefined }));
    expect(f.exitCode).toBe(4);
  });
});

describe('watchDeployment and permanent failures', () => {
  const failed = (message: string): ClusterEvent => ({ eventType: 'status_update_event', appId: '/a', taskId: 'a.1', taskStatus: 'TASK_FAILED', message });
  const watch = (message: string) =>
    failure(watchDeployment(scriptedScheduler({ app: {}, events: [failed(message)], queue: [] }), { appId: '/a', goal: 'running', timeoutMs: 300, signal: new AbortController().signal, onEvent: () => undefined }));

  it.each([
    // What the agent writes (the mark), whatever the wording.
    `Command exited with status 127: the command was not found ${PERMANENT_FAILURE_MARK}`,
    `Cannot run the task as user "gone": user "gone" does not exist on this node ${PERMANENT_FAILURE_MARK}`,
    `Cannot run command "x": permission denied (/x is not executable) ${PERMANENT_FAILURE_MARK}`,
    `Anything at all ${PERMANENT_FAILURE_MARK}`,
    // Agents from before the mark.
    'Cannot run "/nonexistent/program": command not found',
    'Cannot run the task as user "gone": user "gone" does not exist on this node',
    'This app needs a container runtime (container.type DOCKER, image "x") but neither Docker nor Podman is available on this node: install one, or run the app without a container.',
    'Checksum mismatch for file:///x: expected sha256 0, got 1',
  ])('gives up at the first failure, exit 3: %s', async (message) => {
    const f = await watch(message);
    expect(f.exitCode).toBe(3);
    expect(f.message).toBe(`Task a.1 failed: ${message}`);
  });

  it.each(['Command exited with status 1', 'Failed to fetch http://x/y.tgz: HTTP 503 Service Unavailable', 'Cannot run command "x": sandbox directory /s does not exist'])(
    'waits for more than one failure that a retry may fix: %s',
    async (message) => {
      expect((await watch(message)).exitCode).toBe(4);
    },
  );
});

describe('ChangeLines', () => {
  const snapshot = (reason: string): WatchSnapshot => ({
    appId: '/a', goal: 'running', instances: 1, tasks: [], running: 0, healthy: 0, hasHealthChecks: false, startedAt: 0, elapsedMs: 0, queue: { count: 1, reason },
  });

  it('tells a wait in the queue again on change, and at least every 30 s when nothing changes', () => {
    const lines = new ChangeLines();
    expect(lines.update(snapshot('cpus: needs 1, 0.5 free'), 1000)).toEqual(['waiting to place 1 task(s): cpus: needs 1, 0.5 free', '0/1 running']);
    expect(lines.update(snapshot('cpus: needs 1, 0.5 free'), 1000 + QUEUE_REPEAT_MS - 1)).toEqual([]);
    // Counted from when the task started waiting, not from the start of the watch (startedAt 0).
    expect(lines.update(snapshot('cpus: needs 1, 0.5 free'), 1000 + QUEUE_REPEAT_MS)).toEqual(['still waiting to place 1 task(s): cpus: needs 1, 0.5 free (for 30s)']);
    expect(lines.update(snapshot('cpus: needs 1, 0.25 free'), 1000 + QUEUE_REPEAT_MS + 10)).toEqual(['waiting to place 1 task(s): cpus: needs 1, 0.25 free']);
  });

  it("tells what a staging task is doing (its status message), once, and again when it changes", () => {
    const lines = new ChangeLines();
    const staging = (message?: string): WatchSnapshot => ({
      ...snapshot(''),
      queue: undefined,
      tasks: [{ id: 't1', state: 'TASK_STAGING', healthy: null, version: 'v', host: '127.0.0.1', ports: [], ...(message ? { message } : {}) }],
    });
    expect(lines.update(staging(), 0)).toEqual(['task t1 TASK_STAGING', '0/1 running']);
    expect(lines.update(staging('pulling apache/kafka:3.7.0'), 10)).toEqual(['task t1 TASK_STAGING (pulling apache/kafka:3.7.0)']);
    expect(lines.update(staging('pulling apache/kafka:3.7.0'), 20)).toEqual([]);
  });
});

