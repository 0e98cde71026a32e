// Deployment plans (Marathon's DeploymentPlan.apply), their `/v2/deployments` JSON, and rollback targets.
import type { NormalizedApp } from '../../marathon/app-types.js';
import { isOnlyScaleChange, needsRestart, sameDefinition } from '../../marathon/app-changes.js';

export type DeploymentActionName = 'StartApplication' | 'StopApplication' | 'ScaleApplication' | 'RestartApplication';

export interface DeploymentAction {
  action: DeploymentActionName;
  app: string;
  /** Start (always 0) and Scale actions: the instance count to reach. */
  scaleTo?: number;
  /** Scale actions from a kill-and-scale: task ids that must be among the killed. */
  sentenced?: string[];
}

export interface DeploymentStep {
  actions: DeploymentAction[];
}

export type DeploymentPlanSteps = DeploymentStep[];

export interface PlanOptions {
  /** Apps whose restart was requested (`POST /v2/apps/{id}/restart`). */
  restart?: ReadonlySet<string>;
  /** Per app, the task ids a kill-and-scale (`?scale=true`) must kill. */
  sentenced?: ReadonlyMap<string, string[]>;
}

type Apps = ReadonlyMap<string, NormalizedApp>;

const byId = (a: { app: string }, b: { app: string }): number => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0);

/**
 * Steps, run one after another (actions inside a step run in parallel): stop removed apps, "start"
 * new ones with 0 instances, then one step per dependency layer of new/changed apps. Empty steps
 * are dropped, so an unchanged target yields no steps.
 */
export function buildPlan(original: Apps, target: Apps, opts: PlanOptions = {}): DeploymentPlanSteps {
  const restart = opts.restart ?? new Set<string>();
  const stops: DeploymentAction[] = [...original.keys()]
    .filter((id) => !target.has(id))
    .map((app) => ({ action: 'StopApplication' as const, app }));
  const starts: DeploymentAction[] = [...target.keys()]
    .filter((id) => !original.has(id))
    .map((app) => ({ action: 'StartApplication' as const, app, scaleTo: 0 }));
  const affected = [...target.values()].filter((app) => {
    const before = original.get(app.id);
    return !before || restart.has(app.id) || !sameDefinition(before, app);
  });

  const layers = new Map<number, DeploymentAction[]>();
  const depth = longestChain(target);
  for (const app of affected) {
    const action = actionFor(original.get(app.id), app, restart.has(app.id), opts.sentenced?.get(app.id));
    if (!action) continue;
    const layer = depth(app.id);
    layers.set(layer, [...(layers.get(layer) ?? []), action]);
  }
  const layered = [...layers.entries()].sort(([a], [b]) => a - b).map(([, actions]) => actions);
  return [stops, starts, ...layered].filter((actions) => actions.length > 0).map((actions) => ({ actions: actions.sort(byId) }));
}

function actionFor(
  before: NormalizedApp | undefined,
  app: NormalizedApp,
  restartRequested: boolean,
  sentenced: string[] | undefined,
): DeploymentAction | null {
  const scale = (): DeploymentAction => ({
    action: 'ScaleApplication',
    app: app.id,
    scaleTo: app.instances,
    ...(sentenced && sentenced.length > 0 ? { sentenced: [...sentenced] } : {}),
  });
  if (!before) return { action: 'ScaleApplication', app: app.id, scaleTo: app.instances };
  // A restart of 0 instances does nothing and would leave old tasks behind: scaling to 0 removes them.
  if (app.instances === 0) return scale();
  if (restartRequested) return { action: 'RestartApplication', app: app.id };
  if (isOnlyScaleChange(before, app)) return scale();
  if (needsRestart(before, app)) return { action: 'RestartApplication', app: app.id };
  return null;
}

/**
 * Length (in apps) of the longest dependency chain starting at each app of `apps`. A dependency
 * names an app, or a group meaning every app below it; cycles are cut rather than followed.
 */
function longestChain(apps: Apps): (id: string) => number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const targets = (dependency: string): string[] => {
    if (apps.has(dependency)) return [dependency];
    const prefix = dependency.endsWith('/') ? dependency : `${dependency}/`;
    return [...apps.keys()].filter((id) => id.startsWith(prefix));
  };
  const depth = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let longest = 0;
    for (const dependency of apps.get(id)?.dependencies ?? []) {
      for (const next of targets(dependency)) if (next !== id) longest = Math.max(longest, depth(next));
    }
    visiting.delete(id);
    memo.set(id, longest + 1);
    return longest + 1;
  };
  return depth;
}

/** Ids of every app some action of the plan touches, sorted. */
export function affectedApps(steps: DeploymentPlanSteps): string[] {
  return [...new Set(steps.flatMap((step) => step.actions.map((action) => action.app)))].sort();
}

export interface ReadinessCheckResultJson {
  name: string;
  taskId: string;
  ready: boolean;
  lastResponse?: { status: number; contentType: string; body: string };
}

export interface DeploymentView {
  id: string;
  version: string;
  steps: DeploymentPlanSteps;
  /** 1-based index of the running step; 0 while the deployment waits to start. */
  currentStep: number;
  /** Defaults to the actions of the current step. */
  currentActions?: Array<DeploymentAction & { readinessCheckResults?: ReadinessCheckResultJson[] }>;
}

/** One item of `GET /v2/deployments`. Internal fields (scaleTo, sentenced) are not part of it. */
export function deploymentJson(dep: DeploymentView): Record<string, unknown> {
  const started = dep.currentStep > 0;
  const current = started ? (dep.currentActions ?? dep.steps[dep.currentStep - 1]?.actions ?? []) : [];
  return {
    id: dep.id,
    version: dep.version,
    affectedApps: affectedApps(dep.steps),
    affectedPods: [],
    steps: dep.steps.map((step) => ({ actions: step.actions.map(({ action, app }) => ({ action, app })) })),
    currentActions: current.map((entry) => ({
      action: entry.action,
      app: entry.app,
      readinessCheckResults: 'readinessCheckResults' in entry ? (entry.readinessCheckResults ?? []) : [],
    })),
    currentStep: dep.currentStep,
    totalSteps: dep.steps.length,
  };
}

/**
 * The target of a rollback (Marathon's DeploymentPlanReverter): starting from `current` (the
 * deployment's own target unless other changes happened since), apps the deployment created are
 * removed, changed apps get their previous definition back, deleted apps are restored. Apps the
 * deployment did not touch keep whatever `current` has.
 */
export function revertTarget(original: Apps, target: Apps, current: Apps = target): Map<string, NormalizedApp> {
  const result = new Map(current);
  for (const id of new Set([...original.keys(), ...target.keys()])) {
    const before = original.get(id);
    const after = target.get(id);
    if (before && after && sameDefinition(before, after)) continue;
    if (before) result.set(id, before);
    else result.delete(id);
  }
  return result;
}
