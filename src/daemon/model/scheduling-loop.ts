/**
 * The scheduling loop: runs deployment steps as Marathon plans them, keeps every app at its instance
 * count outside deployments (relaunching failed tasks with backoff), and places tasks on this node
 * when resources, ports and constraints allow, recording in the queue why not otherwise.
 */
import type { PortAllocator } from '../agent/ports.js';
import { selectTasksToKill } from '../engine/kill-selection.js';
import type { DeploymentAction, DeploymentStep } from '../engine/plan.js';
import { funnelReason, type RejectReason } from '../engine/queue.js';
import type { StoredApp } from './app-changes.js';
import { hostPortSpecs } from './app-ports.js';
import { constraintsAllow } from './constraints.js';
import type { EventBus } from './event-bus.js';
import type { NodeInfo } from './node-info.js';
import { isResident, volumeDisk, type Reservation, type Reservations } from './reservations.js';
import { describeShortfall, type ResourcePool } from './resources.js';
import type { ReadinessTracker } from './readiness.js';
import { restartStep } from './restart-step.js';
import { LogLimiter } from './log-limiter.js';
import { isActive, isHealthyRunning } from './scheduler-predicates.js';
import type { ClusterState, Deployment } from './state.js';
import type { TaskRunner } from './task-runner.js';
import type { Task } from '../types.js';
import { deploymentView } from './views.js';

/** How soon a pass that could not store something is tried again. */
const RETRY_MS = 1000;

export interface QueueInfo {
  count: number;
  since: string;
  processed: number;
  declined: Partial<Record<RejectReason, number>>;
  lastReason?: RejectReason;
  /** A sentence saying why the last launch did not happen. */
  message?: string;
}

export interface SchedulingLoopDeps {
  readiness: ReadinessTracker;
  state: ClusterState;
  runner: TaskRunner;
  resources: ResourcePool;
  reservations: Reservations;
  ports: PortAllocator;
  events: EventBus;
  node: NodeInfo;
  now: () => number;
  log: (message: string) => void;
}


export class SchedulingLoop {
  readonly queue = new Map<string, QueueInfo>();
  private pending = false;
  private wakeup?: NodeJS.Timeout;
  private wakeupAt = Infinity;
  private stopped = false;
  /** A launch of this pass could not be stored: the pass launches nothing more. */
  private storeFailed = false;

  private readonly errors: LogLimiter;

  constructor(private readonly d: SchedulingLoopDeps) {
    this.errors = new LogLimiter(d.now);
  }

  /** Asks for a pass soon; many events in a row make one pass. */
  kick(): void {
    if (this.pending || this.stopped) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      // A pass asked for just before stop() must not run: it would launch replacements for the
      // tasks a shutdown is killing.
      if (this.stopped) return;
      try {
        this.tick();
      } catch (err) {
        // Most likely a store that cannot be written: what was not stored did not happen, and
        // the next pass tries again.
        this.logError(err);
        this.wakeAt(this.d.now() + RETRY_MS);
      }
    });
  }

  /** A failing pass is logged when its error changes, and at most once a minute while it repeats. */
  private logError(err: unknown): void {
    const text = (err as Error).stack ?? String(err);
    if (this.errors.allows(text)) this.d.log(`scheduler error (passes are retried every ${RETRY_MS / 1000}s): ${text}`);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.wakeup);
  }

  private tick(): void {
    this.storeFailed = false;
    // Wiped instances' volumes go once their task is over (before a new instance could want the disk).
    this.d.reservations.sweep(this.d.state.tasks.values());
    const busy = new Set<string>();
    const deployments = [...this.d.state.deployments.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    for (const dep of deployments) {
      for (const step of dep.steps) for (const action of step.actions) busy.add(action.app);
      this.advance(dep);
    }
    for (const app of this.d.state.apps.values()) {
      if (!busy.has(app.id)) this.maintain(app);
    }
    for (const appId of this.queue.keys()) if (!this.d.state.apps.has(appId)) this.queue.delete(appId);
  }

  /**
   * Works on a deployment's current step; moves on when every action of it is done. Each move is
   * stored before memory and the events follow it: a pass that cannot store stops there.
   */
  private advance(dep: Deployment): void {
    if (dep.currentStep === 0) {
      this.saveStep(dep, 1);
      this.d.events.emit('deployment_info', { plan: deploymentView(dep), currentStep: dep.steps[0] });
    }
    while (dep.currentStep <= dep.steps.length) {
      const step = dep.steps[dep.currentStep - 1];
      const done = step.actions.map((action) => this.runAction(dep, action)).every(Boolean);
      if (!done) return;
      // The plan as it was when the step succeeded; announced once the next one is stored.
      const plan = deploymentView(dep);
      if (dep.currentStep === dep.steps.length) return this.succeed(dep, plan, step);
      this.saveStep(dep, dep.currentStep + 1);
      this.d.events.emit('deployment_step_success', { plan, currentStep: step });
      this.d.events.emit('deployment_info', { plan: deploymentView(dep), currentStep: dep.steps[dep.currentStep - 1] });
    }
    this.succeed(dep, deploymentView(dep));
  }

  /**
   * The deployment is over (its last step, if it had one, just succeeded): removed (stored first),
   * announced, and another pass maintains the apps it held.
   */
  private succeed(dep: Deployment, plan: Record<string, unknown>, lastStep?: DeploymentStep): void {
    this.d.state.removeDeployment(dep.id);
    if (lastStep) this.d.events.emit('deployment_step_success', { plan, currentStep: lastStep });
    this.d.events.emit('deployment_success', { id: dep.id, plan });
    this.kick();
  }

  /** Moves the deployment to `step`: stored first, then in memory. */
  private saveStep(dep: Deployment, step: number): void {
    this.d.state.saveDeployment({ ...dep, currentStep: step });
    dep.currentStep = step;
  }

  /** One pass of one action; true when it is complete. */
  private runAction(dep: Deployment, action: DeploymentAction): boolean {
    const app = this.d.state.apps.get(action.app);
    switch (action.action) {
      case 'StartApplication':
        return true;
      case 'StopApplication': {
        const tasks = this.d.state.tasksOf(action.app);
        // The removed app's grace period still applies to its tasks.
        const removed = dep.original[action.app] ?? undefined;
        for (const task of tasks) if (task.state !== 'TASK_KILLING') void this.d.runner.kill(task, true, { app: removed });
        this.queue.delete(action.app);
        if (tasks.length > 0) return false;
        // Only once its tasks are gone: the app's volumes go with it.
        this.d.reservations.markAppDestroying(action.app);
        this.d.reservations.sweep(this.d.state.tasks.values());
        if (this.d.reservations.ofApp(action.app).length > 0) return false;
        this.d.runner.backoff.delete(action.app);
        this.d.events.emit('app_terminated_event', { appId: action.app });
        return true;
      }
      case 'ScaleApplication':
        if (!app) return true;
        return this.scale(app, action.scaleTo ?? app.instances, new Set(action.sentenced ?? []));
      case 'RestartApplication':
        if (!app) return true;
        return restartStep(dep, app, {
          state: this.d.state,
          readiness: this.d.readiness,
          kill: (task) => void this.d.runner.kill(task),
          launch: (count) => this.launch(app, count),
          save: (next) => this.d.state.saveDeployment(next),
          resetBackoff: () => this.d.runner.backoffOf(app.id).reset(),
        });
      default:
        return true;
    }
  }

  /** ScaleApplication: kill the sentenced and the surplus, launch what is missing, wait for health. */
  private scale(app: StoredApp, scaleTo: number, sentenced: Set<string>): boolean {
    const active = this.d.state.tasksOf(app.id).filter(isActive);
    const liveSentenced = active.filter((t) => sentenced.has(t.id)).length;
    const kills = this.tasksToKill(app, active, Math.max(active.length - scaleTo, liveSentenced), sentenced);
    for (const task of kills) void this.d.runner.kill(task);
    const remaining = active.length - kills.length;
    this.launch(app, scaleTo - remaining);
    const tasks = this.d.state.tasksOf(app.id);
    const wanted = tasks.filter(isActive);
    const healthy = wanted.filter((t) => isHealthyRunning(t, app));
    for (const t of healthy) this.d.readiness.ensure(t, app);
    return wanted.length === scaleTo && tasks.length === wanted.length && healthy.length === scaleTo && healthy.every((t) => this.d.readiness.isReady(t, app));
  }

  /** Outside deployments: keep the instance count, replacing tasks that ended. */
  private maintain(app: StoredApp): void {
    const active = this.d.state.tasksOf(app.id).filter(isActive);
    if (active.length > app.instances) {
      for (const task of this.tasksToKill(app, active, active.length - app.instances)) {
        void this.d.runner.kill(task);
      }
    }
    this.launch(app, app.instances - active.length);
  }

  /**
   * Which tasks a scale-down stops. A resident app suspends its highest instances (their volumes
   * are kept, and a scale-up resumes the lowest first); others follow the app's killSelection.
   */
  private tasksToKill(app: StoredApp, active: Task[], count: number, sentenced = new Set<string>()): Task[] {
    if (!isResident(app)) return selectTasksToKill(active, count, app.killSelection ?? 'YOUNGEST_FIRST', sentenced);
    const ordinal = (t: Task): number => this.d.reservations.get(t.reservationId)?.ordinal ?? Number.MAX_SAFE_INTEGER;
    const order = [...active].sort((a, b) => Number(sentenced.has(b.id)) - Number(sentenced.has(a.id)) || ordinal(b) - ordinal(a));
    return order.slice(0, Math.max(0, count));
  }

  /** Places up to `count` new tasks of the app now, respecting backoff, resources, ports, constraints. */
  launch(app: StoredApp, count: number): void {
    if (count <= 0) {
      this.queue.delete(app.id);
      return;
    }
    const now = this.d.now();
    let entry = this.queue.get(app.id);
    if (!entry) {
      entry = { count, since: new Date(now).toISOString(), processed: 0, declined: {} };
      this.queue.set(app.id, entry);
    }
    entry.count = count;
    const allowedAt = this.d.runner.backoffOf(app.id).launchAllowedAt(now, app);
    if (allowedAt > now) {
      entry.message = `Waiting ${Math.ceil((allowedAt - now) / 1000)}s before relaunching (backoff after failures)`;
      this.wakeAt(allowedAt);
      return;
    }
    const request = { cpus: app.cpus, mem: app.mem, disk: app.disk, gpus: app.gpus ?? 0 };
    // One entry per host port of a task (0: any of the range): port definitions or mappings.
    const wantedPorts = hostPortSpecs(app).map((p) => p.requested);
    // Each launch adds exactly one active task: counted here rather than rescanned per placement.
    let running = this.d.state.tasksOf(app.id).filter(isActive).length;
    const resident = isResident(app);
    while (entry.count > 0) {
      const reasons: RejectReason[] = [];
      if (!constraintsAllow(app.constraints, this.d.node.hostname, running)) reasons.push('UnfulfilledConstraint');
      // A resident instance runs on a suspended reservation if there is one, else on new volumes,
      // which take their size of the node's disk for as long as they exist.
      const reservation = resident ? this.d.reservations.free(app.id, this.d.state.tasks.values()) : undefined;
      const volumes = resident && !reservation ? volumeDisk(app) : 0;
      reasons.push(...this.d.resources.shortfall({ ...request, disk: request.disk + volumes }));
      let ports: number[] | null = [];
      if (reasons.length === 0) {
        ports = this.d.ports.allocate(wantedPorts.length, wantedPorts);
        if (!ports) reasons.push('InsufficientPorts');
      }
      entry.processed += 1;
      if (reasons.length > 0) {
        const reason = funnelReason(reasons) ?? reasons[0];
        entry.declined[reason] = (entry.declined[reason] ?? 0) + 1;
        entry.lastReason = reason;
        entry.message =
          reason === 'UnfulfilledConstraint'
            ? `The constraints ${JSON.stringify(app.constraints)} cannot be met by another instance on this node`
            : volumes > 0 && reasons.includes('InsufficientDisk')
              ? `Not enough disk on this node for a new instance's persistent volumes: needs ${volumes} MB of volumes${request.disk > 0 ? ` and ${request.disk} MB for the task` : ''}, ${Math.round(this.d.resources.free().disk)} MB free`
              : describeShortfall(reasons, request, this.d.resources.free());
        return;
      }
      if (this.storeFailed || !this.tryLaunch(app, ports as number[], entry, resident ? (reservation ?? null) : undefined)) {
        this.wakeAt(this.d.now() + RETRY_MS);
        return;
      }
      running += 1;
      entry.count -= 1;
    }
    this.queue.delete(app.id);
  }

  /** Launches a task; when the store cannot take it, gives its ports back and says so in the queue. */
  private tryLaunch(app: StoredApp, ports: number[], entry: QueueInfo, reservation?: Reservation | null): boolean {
    try {
      // null: a resident app's new instance, whose reservation is stored before its task.
      const on = reservation === null ? this.d.reservations.create(app, new Date(this.d.now()).toISOString()) : reservation;
      this.d.runner.launch(app, ports, on);
      return true;
    } catch (err) {
      this.d.ports.release(ports);
      // The store's failure is in the daemon log already (TaskCommits says when writes fail).
      this.storeFailed = true;
      entry.message = `The cluster could not store the new task, and tries again shortly: ${(err as Error).message}`;
      return false;
    }
  }

  /** One timer for the earliest time any app may launch again (a later request never delays it). */
  private wakeAt(time: number): void {
    if (time >= this.wakeupAt && this.wakeup) return;
    clearTimeout(this.wakeup);
    this.wakeupAt = time;
    this.wakeup = setTimeout(() => {
      this.wakeup = undefined;
      this.wakeupAt = Infinity;
      this.kick();
    }, Math.max(10, time - this.d.now()));
    this.wakeup.unref();
  }
}
