/** The counts line of a deployment: new tasks apart from old ones and from those on their way out. */
import { describe, expect, it } from 'vitest';
import { countsText } from '../../../src/actions/watch-text.js';
import type { TaskView, WatchSnapshot } from '../../../src/actions/watch-types.js';

const task = (id: string, over: Partial<TaskView> = {}): TaskView => ({ id, state: 'TASK_RUNNING', healthy: true, version: 'v2', host: '127.0.0.1', ports: [], ...over });
const snap = (instances: number, tasks: TaskView[], over: Partial<WatchSnapshot> = {}): WatchSnapshot => ({
  appId: '/a', goal: 'running', instances, tasks, running: 0, healthy: 0, hasHealthChecks: true, startedAt: 0, elapsedMs: 0, ...over,
});

describe('countsText', () => {
  it('counts a plain deployment as before', () => {
    expect(countsText(snap(3, [task('a'), task('b', { healthy: false }), task('c', { state: 'TASK_STAGING', healthy: false })]))).toBe('2/3 running, 1/3 healthy');
    expect(countsText(snap(1, [task('a', { healthy: null })], { hasHealthChecks: false }))).toBe('1/1 running');
  });

  it('never counts more than wanted during a scale-down: the rest are stopping', () => {
    // 3 -> 2: before the kill, all three still run; after it, one is being killed.
    expect(countsText(snap(2, [task('a'), task('b'), task('c')]))).toBe('2/2 running, 2/2 healthy, 1 stopping');
    expect(countsText(snap(2, [task('a'), task('b'), task('c', { state: 'TASK_KILLING' })]))).toBe('2/2 running, 2/2 healthy, 1 stopping');
  });

  it('counts only running tasks as healthy (a task being killed may still carry a healthy result)', () => {
    expect(countsText(snap(1, [task('a', { state: 'TASK_KILLING' })]))).toBe('0/1 running, 0/1 healthy, 1 stopping');
  });

  it('shows the tasks of the previous configuration apart during a rolling update', () => {
    const rolling = [task('new', { current: true }), task('old', { current: false, state: 'TASK_KILLING' })];
    expect(countsText(snap(1, rolling))).toBe('new 1/1 running, 1/1 healthy; old 1 stopping');
    const early = [task('new', { current: true, healthy: false }), task('old1', { current: false }), task('old2', { current: false })];
    expect(countsText(snap(2, early))).toBe('new 1/2 running, 0/2 healthy; old 2 running');
  });

  it('counts what is left while removing', () => {
    expect(countsText(snap(0, [task('a', { state: 'TASK_KILLING' })], { goal: 'removed' }))).toBe('1 task(s) left');
  });
});
