// Which tasks a scale-down kills first (Marathon's ScalingProposition ordering).
import type { KillSelection } from '../../marathon/app-types.js';
import { isTerminal, type Task, type TaskState } from '../types.js';

/** Lower weight is killed first; TASK_LOST stands for Marathon's "unreachable" (1). */
const STATE_WEIGHT: Partial<Record<TaskState, number>> = {
  TASK_LOST: 1,
  TASK_STAGING: 2,
  TASK_STARTING: 3,
  TASK_RUNNING: 4,
};
const OTHER_WEIGHT = 5;

function weight(task: Task): number {
  return STATE_WEIGHT[task.state] ?? OTHER_WEIGHT;
}

function time(value: string | null): number | null {
  if (value === null) return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

/** Negative when `a` is killed before `b`. */
function compareForKill(a: Task, b: Task, selection: KillSelection): number {
  const byWeight = weight(a) - weight(b);
  if (byWeight !== 0) return byWeight;
  const byTime = (left: number, right: number): number => (selection === 'YOUNGEST_FIRST' ? right - left : left - right);
  if (a.state === b.state && (a.state === 'TASK_STAGING' || a.state === 'TASK_STARTING')) {
    // Marathon uses the time the state began; stagedAt is what a task records for both.
    return byTime(time(a.stagedAt) ?? 0, time(b.stagedAt) ?? 0);
  }
  // Started tasks compare by when they became active; those that never did go first.
  const left = time(a.startedAt);
  const right = time(b.startedAt);
  if (left === null) return right === null ? 0 : -1;
  if (right === null) return 1;
  return byTime(left, right);
}

/** Orders every candidate by kill priority: sentenced first (in their given order), then by state and age. */
export function orderForKill(tasks: Task[], killSelection: KillSelection, sentenced?: ReadonlySet<string>): Task[] {
  const doomed = sentenced ? tasks.filter((task) => sentenced.has(task.id)) : [];
  const rest = sentenced ? tasks.filter((task) => !sentenced.has(task.id)) : [...tasks];
  // Array.prototype.sort is stable, like Scala's sortWith.
  rest.sort((a, b) => compareForKill(a, b, killSelection));
  return [...doomed, ...rest];
}

/**
 * The first `count` tasks to kill among those the scheduler still wants running (goal `running`,
 * not terminal). Callers scaling with sentenced tasks pass `count >= ` the number of live sentenced
 * tasks (Marathon kills `max(running - scaleTo, sentenced)`).
 */
export function selectTasksToKill(
  tasks: Task[],
  count: number,
  killSelection: KillSelection,
  sentenced?: ReadonlySet<string>,
): Task[] {
  if (count <= 0) return [];
  const candidates = tasks.filter((task) => task.goal === 'running' && !isTerminal(task.state));
  return orderForKill(candidates, killSelection, sentenced).slice(0, count);
}
