/**
 * The embedded cluster's operations, as the Marathon API exposes them: each change is validated,
 * versioned, planned and stored (with its deployment) in one transaction before the call returns;
 * the scheduler then converges the tasks in the background.
 */
import { randomUUID } from 'node:crypto';
import type { NormalizedApp } from '../../marathon/app-types.js';
import { residentUpdateIssues } from '../../marathon/validate-container.js';
import type { Json } from '../../marathon/validation-issues.js';
import { ApiError, notFound } from './api-error.js';
import { buildPlan, revertTarget, type DeploymentPlanSteps } from '../engine/plan.js';
import type { Task } from '../types.js';
import {
  assignServicePorts,
  checkUpdateBody,
  classifyChange,
  invalid,
  isRollbackBody,
  mergePartial,
  normalizeBody,
  versioned,
  type StoredApp,
} from './app-changes.js';
import { privilegedRefusal } from '../agent/container-tasks.js';
import type { EventBus } from './event-bus.js';
import type { NodeInfo } from './node-info.js';
import type { ReadinessTracker } from './readiness.js';
import type { SchedulingLoop } from './scheduling-loop.js';
import type { ClusterState, Deployment } from './state.js';
import type { TaskRunner } from './task-runner.js';
import { deploymentView } from './views.js';

export interface DeploymentResult {
  deploymentId: string;
  version: string;
}

export class Cluster {
  constructor(
    readonly state: ClusterState,
    readonly node: NodeInfo,
    readonly runner: TaskRunner,
    readonly scheduler: SchedulingLoop,
    readonly events: EventBus,
    private readonly now: () => number,
    readonly readiness?: ReadinessTracker,
  ) {}

  /** A deployment as `/v2/deployments` shows it, with the readiness of its apps' tasks. */
  deploymentJson(dep: Deployment): Record<string, unknown> {
    return deploymentView(dep, (appId) => this.readiness?.resultsOf(this.state.tasksOf(appId)) ?? []);
  }

  private timestamp(): string {
    // Versions double as ids in URLs and must be unique and ordered: never repeat one.
    let t = this.now();
    if (this.lastStamp !== undefined && t <= this.lastStamp) t = this.lastStamp + 1;
    this.lastStamp = t;
    return new Date(t).toISOString();
  }
  private lastStamp?: number;

  app(id: string): StoredApp {
    const app = this.state.apps.get(id);
    if (!app) throw notFound(`App '${id}' does not exist`);
    return app;
  }

  private usedServicePorts(except?: string): Set<number> {
    const used = new Set<number>();
    for (const app of this.state.apps.values()) {
      if (app.id === except) continue;
      for (const p of app.portDefinitions ?? []) if (p.port) used.add(p.port);
    }
    return used;
  }

  /**
   * Stores `changes` (app id -> new definition, or null to delete) with the deployment that gets
   * there. Refuses with 409 when a running deployment touches the same apps, unless forced (then
   * those deployments are cancelled without rollback).
   */
  private deploy(
    changes: Map<string, StoredApp | null>,
    opts: { force: boolean; restart?: Set<string>; sentenced?: Map<string, string[]>; version?: string },
  ): Deployment {
    const original = new Map<string, NormalizedApp>();
    const target = new Map<string, NormalizedApp>();
    for (const id of changes.keys()) {
      const before = this.state.apps.get(id);
      if (before) original.set(id, before);
      const after = changes.get(id);
      if (after) target.set(id, after);
    }
    const steps: DeploymentPlanSteps = buildPlan(original, target, { restart: opts.restart, sentenced: opts.sentenced });
    const conflicts = new Set<Deployment>();
    for (const id of changes.keys()) for (const dep of this.state.deploymentsOf(id)) conflicts.add(dep);
    if (conflicts.size > 0 && steps.length > 0 && !opts.force) {
      throw new ApiError(409, {
        message: "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
        deployments: [...conflicts].map((d) => ({ id: d.id })),
      });
    }
    // The plan's version is the target's version (the new app version), as in Marathon.
    const version = opts.version ?? this.timestamp();
    const dep: Deployment = {
      id: randomUUID(),
      version,
      steps,
      currentStep: 0,
      original: Object.fromEntries([...changes.keys()].map((id) => [id, this.state.apps.get(id) ?? null])),
      target: Object.fromEntries(changes),
      createdAt: version,
      restart: {},
    };
    // The store first: memory only follows a change the store has, so a failed write (a full disk,
    // a locked database) leaves the cluster exactly as it was.
    const store = this.state.store;
    storeOr503(() =>
      store.transaction(() => {
        if (steps.length > 0) for (const c of conflicts) store.deleteDeployment(c.id);
        for (const [id, app] of changes) {
          if (app) store.putApp(id, app.version, app, this.state.apps.get(id)?.version !== app.version);
          else store.deleteApp(id);
        }
        if (steps.length > 0) store.putDeployment(dep.id, dep);
      }),
    );
    if (steps.length > 0) for (const c of conflicts) this.state.deployments.delete(c.id);
    for (const [id, app] of changes) {
      if (app) {
        this.state.apps.set(id, app);
      } else {
        this.state.apps.delete(id);
        this.state.failures.delete(id);
      }
    }
    if (steps.length > 0) this.state.deployments.set(dep.id, dep);
    this.scheduler.kick();
    return dep;
  }

  /** A privileged container only runs where the cluster allows it: refused at submit, naming the setting. */
  private checkPrivileged(app: NormalizedApp): void {
    if (app.container?.docker?.privileged === true && this.node.allowPrivileged !== true) {
      throw invalid([{ path: '/container/docker/privileged', errors: [privilegedRefusal()] }]);
    }
  }

  createApp(body: unknown, force: boolean): { app: StoredApp; deployment: Deployment } {
    const normalized = normalizeBody(body);
    this.checkPrivileged(normalized);
    if (this.state.apps.has(normalized.id)) {
      throw new ApiError(409, { message: `An app with id [${normalized.id}] already exists.` });
    }
    const app = versioned(assignServicePorts(normalized, this.usedServicePorts(), this.node.servicePortRange), 'create', this.timestamp());
    const deployment = this.deploy(new Map([[app.id, app]]), { force, version: app.version });
    this.events.emit('api_post_event', { clientIp: '127.0.0.1', uri: '/v2/apps', appDefinition: app });
    return { app, deployment };
  }

  /** PUT/PATCH: update (partial by default), create when absent, or roll back to a stored version. */
  updateApp(id: string, body: unknown, opts: { partial: boolean; force: boolean; createIfMissing: boolean }): DeploymentResult & { created: boolean } {
    const obj = checkUpdateBody(body);
    const current = this.state.apps.get(id);
    if (!current) {
      if (!opts.createIfMissing) throw notFound(`App '${id}' does not exist`);
      const { deployment } = this.createApp({ ...obj, id }, opts.force);
      return { deploymentId: deployment.id, version: deployment.version, created: true };
    }
    let target: NormalizedApp;
    if (isRollbackBody(obj)) {
      const old = this.state.store.appVersion<StoredApp>(id, obj.version as string);
      if (!old) throw notFound(`App '${id}' does not exist in version ${String(obj.version)}`);
      const { version: _v, versionInfo: _vi, ...definition } = old;
      target = definition;
    } else {
      target = normalizeBody(opts.partial ? mergePartial(current, obj) : { ...obj }, id, current);
    }
    // An app that already was privileged can still be scaled or wound down (its tasks fail, saying why).
    if (current.container?.docker?.privileged !== true) this.checkPrivileged(target);
    target = assignServicePorts(target, this.usedServicePorts(id), this.node.servicePortRange, current);
    const resident = residentUpdateIssues(current as Json, target as Json);
    if (resident.length > 0) throw invalid(resident);
    const kind = classifyChange(current, target);
    const app = versioned(target, kind, this.timestamp(), current);
    const dep = this.deploy(new Map([[id, app]]), { force: opts.force, version: app.version });
    if (kind !== 'none') this.events.emit('api_post_event', { clientIp: '127.0.0.1', uri: `/v2/apps${id}`, appDefinition: app });
    return { deploymentId: dep.id, version: app.version, created: false };
  }

  deleteApp(id: string, force: boolean): DeploymentResult {
    this.app(id);
    const dep = this.deploy(new Map([[id, null]]), { force });
    return { deploymentId: dep.id, version: dep.version };
  }

  restartApp(id: string, force: boolean): DeploymentResult {
    const current = this.app(id);
    const app = versioned(current, 'restart', this.timestamp(), current);
    const dep = this.deploy(new Map([[id, app]]), { force, restart: new Set([id]), version: app.version });
    return { deploymentId: dep.id, version: app.version };
  }

  /**
   * Kills tasks. Without `scale` the instances are replaced; with it the app is scaled down by the
   * number killed, in a deployment that kills exactly those tasks.
   */
  killTasks(tasks: Task[], opts: { scale: boolean; wipe: boolean; force: boolean }): { tasks: Task[] } | DeploymentResult {
    if (opts.scale && opts.wipe) throw new ApiError(400, { message: 'You cannot use scale and wipe at the same time.' });
    if (!opts.scale) {
      // Wiped instances lose their volumes (stored first), once their tasks are over.
      if (opts.wipe) storeOr503(() => tasks.forEach((t) => t.reservationId && this.runner.reservations.markDestroying(t.reservationId)));
      for (const task of tasks) void this.runner.kill(task, opts.wipe);
      this.scheduler.kick();
      return { tasks };
    }
    const byApp = new Map<string, string[]>();
    for (const t of tasks) byApp.set(t.appId, [...(byApp.get(t.appId) ?? []), t.id]);
    const changes = new Map<string, StoredApp>();
    const stamp = this.timestamp();
    for (const [appId, ids] of byApp) {
      const current = this.app(appId);
      changes.set(appId, versioned({ ...current, instances: Math.max(0, current.instances - ids.length) }, 'scale', stamp, current));
    }
    const dep = this.deploy(changes, { force: opts.force, sentenced: byApp, version: stamp });
    return { deploymentId: dep.id, version: dep.version };
  }

  /** Without force: roll back (a new, forced deployment reverting this one). With force: just stop it. */
  deleteDeployment(id: string, force: boolean): DeploymentResult | null {
    const dep = this.state.deployments.get(id);
    if (!dep) throw notFound(`DeploymentPlan ${id} does not exist`);
    if (force) {
      storeOr503(() => this.state.removeDeployment(id));
      this.events.emit('deployment_failed', { id, plan: deploymentView(dep) });
      this.scheduler.kick();
      return null;
    }
    const original = new Map(Object.entries(dep.original).filter((e): e is [string, StoredApp] => e[1] !== null));
    const target = new Map(Object.entries(dep.target).filter((e): e is [string, StoredApp] => e[1] !== null));
    const current = new Map<string, NormalizedApp>();
    for (const appId of Object.keys(dep.target)) {
      const app = this.state.apps.get(appId);
      if (app) current.set(appId, app);
    }
    const reverted = revertTarget(original, target, current);
    const stamp = this.timestamp();
    const changes = new Map<string, StoredApp | null>();
    for (const appId of Object.keys(dep.target)) {
      const back = reverted.get(appId) as StoredApp | undefined;
      const now = this.state.apps.get(appId);
      if (!back) changes.set(appId, null);
      else changes.set(appId, versioned(back, now ? classifyChange(now, back) === 'none' ? 'config' : classifyChange(now, back) : 'create', stamp, now));
    }
    // Announced once the revert that replaces it is stored.
    const revert = this.deploy(changes, { force: true, version: stamp });
    this.events.emit('deployment_failed', { id, plan: deploymentView(dep) });
    return { deploymentId: revert.id, version: revert.version };
  }
}

/** A store write for a request: when it fails, nothing was changed and the answer says so (503). */
function storeOr503<T>(write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw new ApiError(503, { message: `The cluster could not store the change, so nothing was changed: ${(err as Error).message}` });
  }
}
