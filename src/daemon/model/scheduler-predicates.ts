/** What counts as an instance, and as a healthy one, for scaling and restarts. */
import { isHealthy } from '../engine/health-tracker.js';
import { isTerminal, type Task } from '../types.js';
import type { StoredApp } from './app-changes.js';

/** A task the scheduler counts as an instance: not finished and still wanted. */
export function isActive(task: Task): boolean {
  return task.goal === 'running' && !isTerminal(task.state);
}

/** Running, and healthy when the app has health checks. */
export function isHealthyRunning(task: Task, app: StoredApp): boolean {
  return task.state === 'TASK_RUNNING' && isHealthy(task.healthCheckResults, (app.healthChecks ?? []).length > 0);
}
