// ScaleApplication as a pure step function (Marathon's scaleRunnable + TaskStartActor).
//
// First the surplus is killed (sentenced tasks first, then by kill selection) and the step waits
// until those tasks are gone; then the missing instances are launched and the step waits until that
// many tasks of the app's current version became healthy and ready. Like planRestart, the caller
// calls it at the start and after every task/health event, passing back the previous `state`.
import type { KillSelection } from '../../marathon/app-types.js';
import { isTerminal, type Task } from '../types.js';
import { isHealthy } from './health-tracker.js';
import { selectTasksToKill } from './kill-selection.js';

export interface ScaleInput {
  scaleTo: number;
  killSelection: KillSelection;
  /** The app's current version: tasks at it are the ones the step waits for. */
  version: string;
  /** Every task of the app the scheduler still knows, of any version and goal. */
  tasks: Task[];
  /** Instances waiting in the launch queue (wanted, no task yet). */
  queued: number;
  hasHealthChecks: boolean;
  /** Task ids whose readiness check passed; omit when the app has no readiness checks. */
  ready?: ReadonlySet<string>;
  /** Task ids a kill-and-scale must kill. */
  sentenced?: readonly string[];
  /** What the previous call returned; omit on the first call. */
  state?: ScaleState;
}

export interface ScaleState {
  phase: 'killing' | 'starting' | 'done';
  /** Tasks this step killed, waited for until terminal. */
  killing: string[];
  /** How many new instances the starting phase waits for. */
  nrToStart: number;
  /** Tasks at the version that were already healthy and ready when starting began. */
  baseline: string[];
  healthy: string[];
  ready: string[];
}

export interface ScaleStep {
  /** Decommission these (set goal, SIGTERM). */
  kill: string[];
  /** Queue this many more tasks at the current version. */
  launch: number;
  /** Remove this many entries from the app's launch queue (surplus not launched yet). */
  dropQueued: number;
  done: boolean;
  state: ScaleState;
}

export function planScale(input: ScaleInput): ScaleStep {
  let kill: string[] = [];
  let dropQueued = 0;
  let state: ScaleState;
  if (input.state) {
    state = { ...input.state, killing: [...input.state.killing], healthy: [...input.state.healthy], ready: [...input.state.ready] };
  } else {
    ({ kill, dropQueued } = proposeKills(input));
    state = { phase: 'killing', killing: kill, nrToStart: 0, baseline: [], healthy: [], ready: [] };
  }
  const byId = new Map(input.tasks.map((task) => [task.id, task]));
  let launch = 0;

  if (state.phase === 'killing') {
    const waiting = state.killing.some((id) => {
      const task = byId.get(id);
      return task !== undefined && !isTerminal(task.state);
    });
    if (!waiting) {
      const live = input.tasks.filter((task) => task.goal === 'running' && !isTerminal(task.state) && !kill.includes(task.id));
      const alreadyLaunched = live.length + input.queued - dropQueued;
      state.phase = 'starting';
      state.nrToStart = Math.max(0, input.scaleTo - alreadyLaunched);
      state.baseline = input.tasks.filter((task) => isNewHealthy(task, input) && isNewReady(task, input)).map((task) => task.id);
      launch = state.nrToStart;
    }
  }

  if (state.phase === 'starting') {
    const healthy = new Set(state.healthy);
    const ready = new Set(state.ready);
    const baseline = new Set(state.baseline);
    for (const task of input.tasks) {
      if (task.version !== input.version || baseline.has(task.id)) continue;
      if (isTerminal(task.state) || task.goal !== 'running') {
        healthy.delete(task.id);
        ready.delete(task.id);
        continue;
      }
      if (isNewHealthy(task, input)) healthy.add(task.id);
      if (isNewReady(task, input)) ready.add(task.id);
    }
    // Tasks the scheduler forgot (expunged) no longer count.
    for (const id of [...healthy, ...ready]) {
      if (!byId.has(id)) {
        healthy.delete(id);
        ready.delete(id);
      }
    }
    state.healthy = [...healthy];
    state.ready = [...ready];
    if (healthy.size >= state.nrToStart && ready.size >= state.nrToStart) state.phase = 'done';
  }
  return { kill, launch, dropQueued, done: state.phase === 'done', state };
}

/**
 * Marathon's ScalingProposition: kill `max(wanted - scaleTo, sentenced)`. Queued instances that
 * were never launched are dropped before any running task is killed.
 */
function proposeKills(input: ScaleInput): { kill: string[]; dropQueued: number } {
  const live = input.tasks.filter((task) => task.goal === 'running' && !isTerminal(task.state));
  const sentenced = new Set(input.sentenced ?? []);
  const sentencedLive = live.filter((task) => sentenced.has(task.id)).length;
  const decommission = Math.max(live.length + input.queued - input.scaleTo, sentencedLive);
  const dropQueued = Math.min(input.queued, Math.max(0, decommission - sentencedLive));
  const chosen = selectTasksToKill(live, decommission - dropQueued, input.killSelection, sentenced);
  return { kill: chosen.map((task) => task.id), dropQueued };
}

/** Health checks passing, or simply TASK_RUNNING when the app has none. */
function isNewHealthy(task: Task, input: ScaleInput): boolean {
  if (task.version !== input.version || task.state !== 'TASK_RUNNING') return false;
  return !input.hasHealthChecks || isHealthy(task.healthCheckResults, true);
}

/** Without readiness checks an instance is ready as soon as it is healthy. */
function isNewReady(task: Task, input: ScaleInput): boolean {
  if (!input.ready) return isNewHealthy(task, input);
  return task.version === input.version && input.ready.has(task.id);
}
