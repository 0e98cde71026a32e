/**
 * The cluster's working state in memory, mirrored to the store on every change: apps, active
 * tasks, deployments, the last task failure of each app. Each change is written to the store
 * first, so memory never holds what a failed write did not store.
 */
import type { Store } from '../store/store.js';
import type { Task } from '../types.js';
import type { StoredApp } from './app-changes.js';

import type { DeploymentStep } from '../engine/plan.js';

export interface Deployment {
  id: string;
  version: string;
  steps: DeploymentStep[];
  /** 1-based index of the step being worked on; 0 before it starts. */
  currentStep: number;
  /** Each affected app before (null: did not exist) and after (null: deleted) the change. */
  original: Record<string, StoredApp | null>;
  target: Record<string, StoredApp | null>;
  createdAt: string;
  /** Per app, what a running RestartApplication remembers between events. */
  restart: Record<string, unknown>;
}

export interface TaskFailure {
  appId: string;
  host: string;
  message: string;
  state: string;
  taskId: string;
  timestamp: string;
  version: string;
  slaveId: string;
}

export class ClusterState {
  readonly apps = new Map<string, StoredApp>();
  /** Active (non-terminal) tasks. */
  readonly tasks = new Map<string, Task>();
  readonly deployments = new Map<string, Deployment>();
  readonly failures = new Map<string, TaskFailure>();
  /** Recently finished tasks, for Mesos' completed_tasks and `--completed` listings. */
  readonly completed: Task[] = [];

  constructor(readonly store: Store) {
    for (const app of store.loadApps<StoredApp>()) this.apps.set(app.id, app);
    for (const task of store.loadTasks<Task>()) this.tasks.set(task.id, task);
    for (const dep of store.loadDeployments<Deployment>()) this.deployments.set(dep.id, dep);
    for (const [appId, failure] of store.loadFailures<TaskFailure>()) this.failures.set(appId, failure);
    this.completed.push(...store.completedTasks<Task>());
  }

  tasksOf(appId: string): Task[] {
    const out: Task[] = [];
    for (const task of this.tasks.values()) if (task.appId === appId) out.push(task);
    return out;
  }

  /** Memory's half of a task reaching a terminal state (TaskCommits stores it first). */
  moveToCompleted(task: Task): void {
    this.tasks.delete(task.id);
    this.completed.push(task);
    if (this.completed.length > 1000) this.completed.splice(0, this.completed.length - 1000);
  }

  saveDeployment(dep: Deployment): void {
    this.store.putDeployment(dep.id, dep);
  }

  removeDeployment(id: string): void {
    this.store.deleteDeployment(id);
    this.deployments.delete(id);
  }

  /** Deployments (oldest first) whose plan touches the app. */
  deploymentsOf(appId: string): Deployment[] {
    return [...this.deployments.values()]
      .filter((d) => d.steps.some((s) => s.actions.some((a) => a.app === appId)))
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  }
}

