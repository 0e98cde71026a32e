/**
 * RestartApplication, driven by the rolling-restart algorithm (engine/rolling-restart.ts): on every
 * pass the app's tasks are summarised as old and new instances, the algorithm says what to kill and
 * how many to start, and its state is kept with the deployment so a restarted daemon continues.
 */
import { isResident } from './reservations.js';
import { planRestart, type RestartState } from '../engine/rolling-restart.js';
import type { Task } from '../types.js';
import type { StoredApp } from './app-changes.js';
import { isActive, isHealthyRunning } from './scheduler-predicates.js';
import type { ReadinessTracker } from './readiness.js';
import type { ClusterState, Deployment } from './state.js';

export interface RestartHooks {
  state: ClusterState;
  readiness: ReadinessTracker;
  kill(task: Task): void;
  /** Places up to `count` new tasks of the app (the rest waits in the queue). */
  launch(count: number): void;
  /** Stores the deployment as given (memory follows once it is stored). */
  save(next: Deployment): void;
  resetBackoff(): void;
}

export function restartStep(dep: Deployment, app: StoredApp, hooks: RestartHooks): boolean {
  const tasks = hooks.state.tasksOf(app.id);
  const previous = dep.restart[app.id] as RestartState | undefined;
  const fresh = tasks.filter((t) => t.version === app.version && isActive(t));
  const known = new Set([...(previous?.healthy ?? []), ...(previous?.ready ?? [])]);
  // New instances that died since the last pass must lose their credit as healthy.
  const gone = [...known].filter((id) => !fresh.some((t) => t.id === id));
  const step = planRestart({
    n: app.instances,
    minHealthCapacity: app.upgradeStrategy?.minimumHealthCapacity ?? 1,
    maxOverCapacity: app.upgradeStrategy?.maximumOverCapacity ?? 1,
    // A resident instance's new task needs its old task's volumes: kill first, then start.
    resident: isResident(app),
    oldInstances: tasks
      .filter((t) => t.version !== app.version)
      .map((t) => ({ id: t.id, healthy: t.goal === 'running' && isHealthyRunning(t, app), terminal: false, goalRunning: t.goal === 'running' })),
    newInstances: [
      ...fresh.map((t) => {
        const healthy = isHealthyRunning(t, app);
        if (healthy) hooks.readiness.ensure(t, app);
        return { id: t.id, healthy, ready: healthy && hooks.readiness.isReady(t, app), terminal: false };
      }),
      ...gone.map((id) => ({ id, healthy: false, ready: false, terminal: true })),
    ],
    state: previous,
  });
  if (step.resetBackoff) hooks.resetBackoff();
  for (const id of step.kill) {
    const task = hooks.state.tasks.get(id);
    if (task) hooks.kill(task);
  }
  // Start what the algorithm allows, plus replacements of new tasks that died or could not be placed yet.
  hooks.launch(step.state.started - fresh.length);
  if (JSON.stringify(step.state) !== JSON.stringify(previous)) {
    const restart = { ...dep.restart, [app.id]: step.state };
    hooks.save({ ...dep, restart });
    dep.restart = restart;
  }
  return step.done && tasks.every((t) => t.version === app.version);
}
