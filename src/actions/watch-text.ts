/**
 * What a deployment watch says, in the same words for the plain lines and the live view. Above
 * all the one line that sums it up: tasks of the configuration being deployed apart from those
 * of the previous one, and tasks on their way out apart from both, so the counts never read like
 * `3/2 healthy` during a scale-down or `2/1 running` during a rolling update.
 */
import { ENDED_STATES as TERMINAL } from '../scheduler/types.js';
import type { TaskView, WatchSnapshot } from './watch-types.js';

export interface TaskCounts {
  /** Running tasks of the current configuration, at most the instances wanted. */
  running: number;
  /** Of those, the healthy ones. */
  healthy: number;
  /** Current tasks over the instances wanted, and current tasks being killed: on their way out. */
  stopping: number;
  /** Tasks of the previous configuration, still up / being killed. */
  old: { running: number; stopping: number };
}

export function countTasks(tasks: readonly TaskView[], instances: number): TaskCounts {
  const live = tasks.filter((t) => !TERMINAL.has(t.state));
  const killing = (t: TaskView) => t.state === 'TASK_KILLING';
  const current = live.filter((t) => t.current !== false);
  const staying = current.filter((t) => !killing(t));
  const running = staying.filter((t) => t.state === 'TASK_RUNNING');
  const old = live.filter((t) => t.current === false);
  return {
    running: Math.min(running.length, instances),
    healthy: Math.min(running.filter((t) => t.healthy === true).length, instances),
    stopping: current.filter(killing).length + Math.max(0, staying.length - instances),
    old: { running: old.filter((t) => !killing(t)).length, stopping: old.filter(killing).length },
  };
}

/** `2/2 running, 2/2 healthy, 1 stopping`; `new 1/1 running, 1/1 healthy; old 1 stopping`. */
export function countsText(s: WatchSnapshot): string {
  if (s.goal === 'removed') return `${s.tasks.filter((t) => !TERMINAL.has(t.state)).length} task(s) left`;
  const c = countTasks(s.tasks, s.instances);
  const wanted = `${c.running}/${s.instances} running${s.hasHealthChecks ? `, ${c.healthy}/${s.instances} healthy` : ''}${c.stopping ? `, ${c.stopping} stopping` : ''}`;
  if (c.old.running + c.old.stopping === 0) return wanted;
  const old = [c.old.running ? `${c.old.running} running` : '', c.old.stopping ? `${c.old.stopping} stopping` : ''].filter(Boolean).join(', ');
  return `new ${wanted}; old ${old}`;
}

/** `waiting to place 1 task(s): <reason>` (without the countdown, which changes every poll). */
export function waitingText(queue: NonNullable<WatchSnapshot['queue']>): string {
  return `waiting to place ${queue.count} task(s)${queue.reason ? `: ${queue.reason}` : ''}`;
}

/** ` (next try in 5s)` while the queue's backoff runs, else empty. */
export function delayText(queue: NonNullable<WatchSnapshot['queue']>): string {
  return queue.delaySeconds ? ` (next try in ${queue.delaySeconds}s)` : '';
}

export function failureText(lastFailure: string): string {
  return `last failure: ${lastFailure}`;
}
