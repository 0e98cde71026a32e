/** TaskCommits: the store first, then memory; changes that cannot be stored wait, in order. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredApp } from '../../../../src/daemon/model/app-changes.js';
import { ClusterState } from '../../../../src/daemon/model/state.js';
import { TaskCommits } from '../../../../src/daemon/model/task-commits.js';
import { Store } from '../../../../src/daemon/store/store.js';
import type { Task } from '../../../../src/daemon/types.js';

let dir: string;
let store: Store;
let state: ClusterState;
let logs: string[];
let commits: TaskCommits;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dcos-commits-'));
  store = new Store(join(dir, 'state.db'));
  state = new ClusterState(store);
  logs = [];
  commits = new TaskCommits(state, (m) => logs.push(m), Date.now);
});
afterEach(() => {
  commits.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function task(id: string): Task {
  const t = { id, appId: '/a', version: 'v', state: 'TASK_STAGING', goal: 'running', host: 'h', ports: [], servicePorts: [], stagedAt: 's', startedAt: null, pid: null, pidStart: null, sandbox: '/s', message: null, exitCode: null, finishedAt: null, healthCheckResults: [], resources: { cpus: 0, mem: 0, disk: 0, gpus: 0 } } as Task;
  commits.create(t);
  state.tasks.set(id, t);
  return t;
}

/** Another connection holding the write lock: the store's writes fail (after its busy timeout). */
function lock(): () => void {
  const db = new Database(join(dir, 'state.db'));
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('ROLLBACK');
    db.close();
  };
}

const stored = (id: string) => store.loadTasks<Task>().find((t) => t.id === id);

describe('TaskCommits', () => {
  it('stores, then applies, then runs what follows', () => {
    const t = task('t1');
    const seen: string[] = [];
    expect(commits.apply(t, { set: { state: 'TASK_RUNNING' }, then: (before) => seen.push(`${before.state} -> ${t.state}`) })).toBe(true);
    expect(stored('t1')?.state).toBe('TASK_RUNNING');
    expect(seen).toEqual(['TASK_STAGING -> TASK_RUNNING']);
  });

  it('keeps changes it cannot store out of memory, in order, and lands them all once it can', { timeout: 20_000 }, () => {
    state.apps.set('/a', { id: '/a' } as StoredApp);
    const t = task('t2');
    const seen: string[] = [];
    const release = lock();
    try {
      expect(commits.apply(t, { set: { state: 'TASK_RUNNING', pid: 42 }, then: () => seen.push(t.state) })).toBe(false);
      // Queued behind the first without another write attempt.
      expect(commits.apply(t, { set: { state: 'TASK_FAILED', message: 'boom' }, finish: true, failure: { appId: '/a', host: 'h', message: 'boom', state: 'TASK_FAILED', taskId: 't2', timestamp: 'z', version: 'v', slaveId: 'S' }, then: () => seen.push(t.state) })).toBe(false);
      // A change after the end is not taken.
      expect(commits.apply(t, { set: { state: 'TASK_RUNNING' } })).toBe(false);
      expect(t.state).toBe('TASK_STAGING');
      expect(state.tasks.has('t2')).toBe(true);
      expect(commits.view(t)).toMatchObject({ state: 'TASK_FAILED', pid: 42 });
      expect(seen).toEqual([]);
      expect(commits.backlog).toBe(1);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/^the store cannot be written \(database is locked\)/);
    } finally {
      release();
    }
    commits.flush();
    expect(seen).toEqual(['TASK_RUNNING', 'TASK_FAILED']);
    expect(state.tasks.has('t2')).toBe(false);
    expect(stored('t2')).toBeUndefined();
    expect(store.completedTasks<Task>().find((x) => x.id === 't2')).toMatchObject({ state: 'TASK_FAILED', pid: 42, message: 'boom' });
    expect(state.failures.get('/a')?.taskId).toBe('t2');
    expect(store.loadFailures().get('/a')).toMatchObject({ taskId: 't2' });
    expect(commits.backlog).toBe(0);
    expect(logs[1]).toMatch(/^the store can be written again/);
  });

  it("records no failure for an app that is gone, so none outlives the app's removal", () => {
    const t = task('t3');
    commits.apply(t, { set: { state: 'TASK_FAILED' }, finish: true, failure: { appId: '/a', host: 'h', message: 'm', state: 'TASK_FAILED', taskId: 't3', timestamp: 'z', version: 'v', slaveId: 'S' } });
    expect(state.failures.has('/a')).toBe(false);
    expect(store.loadFailures().has('/a')).toBe(false);
  });
});
