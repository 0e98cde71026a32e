/**
 * The use cases of the command line (install, update, scale, uninstall, list, logs) on the
 * in-memory cluster (a test double: it runs nothing, but deploys, fails and waits as a cluster
 * does), with the bundled packages. They see only the Scheduler interface, as on every cluster kind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { installPackage } from '../../../src/actions/package-install.js';
import { uninstallPackage } from '../../../src/actions/package-uninstall.js';
import { updatePackage } from '../../../src/actions/package-update.js';
import { nodeList, packageList, serviceShow, taskList } from '../../../src/actions/readers.js';
import { scaleService } from '../../../src/actions/service.js';
import type { Session } from '../../../src/actions/session.js';
import { taskLog } from '../../../src/actions/task-log.js';
import { resolveTask } from '../../../src/actions/tasks.js';
import type { WatchEvent } from '../../../src/actions/watch-types.js';
import { DcosError, isDcosError } from '../../../src/core/errors.js';
import { MemoryScheduler } from '../../../src/scheduler/memory/memory-scheduler.js';
import { tempHome, testActionCtx } from '../../helpers/index.js';

const home = tempHome();
afterAll(() => home.cleanup());

interface TestSession extends Session {
  notes: string[];
  questions: string[];
  events: WatchEvent[];
}

function sessionOn(scheduler: MemoryScheduler, opts: { answer?: boolean } = {}): TestSession {
  const { ctx } = testActionCtx(home.env);
  const notes: string[] = [];
  const questions: string[] = [];
  const events: WatchEvent[] = [];
  return {
    ...ctx,
    notes,
    questions,
    events,
    notify: (m) => notes.push(m),
    connect: async () => scheduler,
    confirm: async (q) => {
      questions.push(q);
      if (opts.answer === false) throw new DcosError('ECANCELLED', 'Cancelled: nothing was changed');
    },
    progress: async () => ({ onEvent: (e) => events.push(e), close: async () => undefined }),
  };
}

const wait = { wait: true, timeoutMs: 5000 };

async function failureOf(p: Promise<unknown>): Promise<DcosError> {
  try {
    await p;
  } catch (err) {
    if (isDcosError(err)) return err;
    throw err;
  }
  throw new Error('it succeeded');
}

describe('package install', () => {
  it('installs, waits until the task runs and is healthy, and the install is read back from the cluster', async () => {
    const cluster = new MemoryScheduler();
    const s = sessionOn(cluster);
    const result = await installPackage(s, { name: 'hello-world', options: {}, ...wait });
    expect(result).toMatchObject({ packageName: 'hello-world', appId: '/hello-world', status: 'running' });
    expect(result.tasks).toHaveLength(1);
    expect(result.tasks[0]).toMatchObject({ state: 'TASK_RUNNING', healthy: true, host: 'node-1.local' });
    expect(s.questions).toEqual([`Install hello-world ${result.packageVersion} as /hello-world?`]);
    expect(s.notes.some((n) => n.startsWith('Installing service for package [hello-world]'))).toBe(true);
    expect(s.events.some((e) => e.type === 'snapshot' && e.snapshot.healthy === 1)).toBe(true);
    const { installs } = await packageList(s, {});
    expect(installs.map((p) => [p.name, p.version, p.appId, p.status])).toEqual([['hello-world', result.packageVersion, '/hello-world', 'running']]);
  });

  it('changes nothing when the confirmation is refused', async () => {
    const cluster = new MemoryScheduler();
    const err = await failureOf(installPackage(sessionOn(cluster, { answer: false }), { name: 'hello-world', options: {}, ...wait }));
    expect(err.code).toBe('ECANCELLED');
    expect(cluster.calls).not.toContain('createService');
    expect(await cluster.listServices()).toEqual([]);
  });

  it('refuses a second install under the same app id before submitting anything', async () => {
    const cluster = new MemoryScheduler();
    await installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait });
    const before = cluster.calls.filter((c) => c === 'createService').length;
    const err = await failureOf(installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait }));
    expect(err.code).toBe('EALREADY_INSTALLED');
    expect(err.hint).toContain('--app-id');
    expect(cluster.calls.filter((c) => c === 'createService').length).toBe(before);
  });

  it('reports a task that keeps failing with its last stderr lines, exit 3, and says how to remove what is left', async () => {
    const cluster = new MemoryScheduler();
    cluster.script('/hello-world', { kind: 'fails', message: 'Command exited with status 1', stderr: ['Error: listen EADDRINUSE', 'at Server.listen'] });
    const err = await failureOf(installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait }));
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/^Task hello-world\.\d+ failed: Command exited with status 1 \(3 task failures\)$/);
    expect(err.details.map((d) => `${d.path}: ${d.message}`)).toEqual(['stderr: Error: listen EADDRINUSE', 'stderr: at Server.listen']);
    expect(err.hint).toContain('Remove it with: dcos package uninstall hello-world --app-id /hello-world --yes');
  });

  it('gives up at once, exit 3, on tasks that can never be placed, with the cluster’s reason', async () => {
    const cluster = new MemoryScheduler();
    cluster.script('/hello-world', { kind: 'pending', reason: 'Insufficient cpu', placement: { verdict: 'too-big', reason: 'needs 64 cpus, the node has 4' } });
    const err = await failureOf(installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait }));
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('/hello-world cannot be placed: needs 64 cpus, the node has 4');
  });

  it('times out, exit 4, naming the failing health check and its cause', async () => {
    const cluster = new MemoryScheduler();
    cluster.script('/hello-world', { kind: 'unhealthy', cause: 'HTTP 503 from /health' });
    const err = await failureOf(installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, wait: true, timeoutMs: 300 }));
    expect(err.exitCode).toBe(4);
    expect(err.details.some((d) => d.message === 'health check fails: HTTP 503 from /health')).toBe(true);
    const { installs } = await packageList(sessionOn(cluster), {});
    expect(installs[0]).toMatchObject({ status: 'deploying', problem: 'the health check fails on 1 task(s): HTTP 503 from /health' });
  });

  it('fails at once, exit 3, when the cluster says the deployment cannot finish', async () => {
    const cluster = new MemoryScheduler();
    cluster.script('/hello-world', { kind: 'stuck', reason: 'ProgressDeadlineExceeded: ReplicaSet "hello-world-5d" has timed out progressing.' });
    const err = await failureOf(installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait }));
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('The deployment of /hello-world cannot finish: ProgressDeadlineExceeded: ReplicaSet "hello-world-5d" has timed out progressing.');
  });

  it('submits without waiting with wait off, and says how to follow the deployment', async () => {
    const cluster = new MemoryScheduler();
    const s = sessionOn(cluster);
    const result = await installPackage(s, { name: 'hello-world', options: {}, wait: false, timeoutMs: 0 });
    expect(result.status).toBe('deploying');
    expect(result.deploymentId).toMatch(/^deployment-/);
    expect(s.notes.some((n) => n.includes('follow it with: dcos package list'))).toBe(true);
  });
});

describe('update, scale, uninstall', () => {
  it('updates the options the package was installed with, keeping the others', async () => {
    const cluster = new MemoryScheduler();
    await installPackage(sessionOn(cluster), { name: 'hello-world', options: { service: { instances: 2 } }, ...wait });
    const result = await updatePackage(sessionOn(cluster), { name: 'hello-world', options: { service: { mem: 96 } }, ...wait });
    expect(result.status).toBe('running');
    expect(result.options).toMatchObject({ service: { instances: 2, mem: 96 } });
    const service = await cluster.getService('/hello-world');
    expect(service?.definition.mem).toBe(96);
    expect(service?.instances).toBe(2);
    expect(service?.tasks).toHaveLength(2);
  });

  it('scales by service name and waits for the new count', async () => {
    const cluster = new MemoryScheduler();
    await installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait });
    const up = await scaleService(sessionOn(cluster), { name: 'hello-world', instances: 3, ...wait });
    expect(up).toMatchObject({ appId: '/hello-world', instances: 3, status: 'running' });
    expect((await taskList(sessionOn(cluster), {})).length).toBe(3);
    await scaleService(sessionOn(cluster), { name: '/hello-world', instances: 1, ...wait });
    expect((await taskList(sessionOn(cluster), {})).length).toBe(1);
  });

  it('uninstalls and waits until nothing is left; --all with --app-id is refused before connecting', async () => {
    const cluster = new MemoryScheduler();
    await installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait });
    const refused = await failureOf(uninstallPackage(sessionOn(cluster), { name: 'hello-world', all: true, appId: '/hello-world', ...wait }));
    expect(refused.exitCode).toBe(2);
    expect(await cluster.getService('/hello-world')).toBeDefined();
    const result = await uninstallPackage(sessionOn(cluster), { name: 'hello-world', ...wait });
    expect(result.results).toEqual([expect.objectContaining({ packageName: 'hello-world', appId: '/hello-world' })]);
    expect(await cluster.listServices()).toEqual([]);
    const missing = await failureOf(uninstallPackage(sessionOn(cluster), { name: 'hello-world', ...wait }));
    expect(missing.code).toBe('ENOT_INSTALLED');
  });
});

describe('tasks, logs, nodes', () => {
  it('reads the log of every task of a service, each line saying whose', async () => {
    const cluster = new MemoryScheduler();
    await installPackage(sessionOn(cluster), { name: 'hello-world', options: { service: { instances: 2 } }, ...wait });
    const tasks = await taskList(sessionOn(cluster), {});
    cluster.write(tasks[0].id, 'stdout', 'hello from the first\n');
    const log = await taskLog(sessionOn(cluster), { target: '/hello-world', lines: 10, follow: false });
    expect(log.serviceId).toBe('/hello-world');
    const lines = [];
    for await (const batch of log.batches) lines.push(...batch.map((l) => `${l.taskId}: ${l.text}`));
    expect(lines).toEqual(expect.arrayContaining([`${tasks[0].id}: started ${tasks[0].id}`, `${tasks[0].id}: hello from the first`, `${tasks[1].id}: started ${tasks[1].id}`]));
    expect(lines).toHaveLength(3);
  });

  it('finds a task by a fragment of its id, and refuses to guess between several', async () => {
    const cluster = new MemoryScheduler();
    await installPackage(sessionOn(cluster), { name: 'hello-world', options: { service: { instances: 2 } }, ...wait });
    const [a] = await taskList(sessionOn(cluster), {});
    expect((await resolveTask(cluster, a.id.slice(-3))).id).toBe(a.id);
    const err = await failureOf(resolveTask(cluster, 'hello-world'));
    expect(err.code).toBe('EAMBIGUOUS');
  });

  it('lists nodes sorted by hostname, and shows a service by its package name', async () => {
    const cluster = new MemoryScheduler([MemoryScheduler.node('b', 'zeta.local'), MemoryScheduler.node('a', 'alpha.local')]);
    expect((await nodeList(sessionOn(cluster))).map((n) => n.hostname)).toEqual(['alpha.local', 'zeta.local']);
    await installPackage(sessionOn(cluster), { name: 'hello-world', options: {}, ...wait });
    const { service } = await serviceShow(sessionOn(cluster), 'hello-world');
    expect(service.id).toBe('/hello-world');
    expect(service.labels.DCOS_PACKAGE_NAME).toBe('hello-world');
  });
});
