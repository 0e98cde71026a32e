/**
 * Whether a waiting task can ever be placed. A task waits in the queue while no node has room for
 * it; it waits forever when it asks for more than any node has, or when no node has room and
 * nothing on the cluster is going to free any: the only tasks that go away by themselves are those
 * being killed, those of apps in a deployment, and those of other frameworks (jobs end).
 */
import { appIdOfTaskId } from '../../marathon/app-id.js';
import type { Placement } from '../types.js';
import type { MarathonDeployment, MesosState, MesosTask, QueueItem } from './api-types.js';

export type { Placement };

export interface TaskNeed {
  cpus: number;
  mem: number;
  disk: number;
}

const RESOURCES = [
  { key: 'cpus', label: (n: number) => `${n} cpus` },
  { key: 'mem', label: (n: number) => `${n} MB of memory` },
  { key: 'disk', label: (n: number) => `${n} MB of disk` },
] as const;

/** Marathon's defaults for what an app leaves out. */
export function needOf(app: { cpus?: number; mem?: number; disk?: number }): TaskNeed {
  return { cpus: app.cpus ?? 1, mem: app.mem ?? 128, disk: app.disk ?? 0 };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const round = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * The placement of one task needing `need`, given the master state and the apps whose tasks a
 * deployment in progress may stop (`moving`).
 */
export function placementOf(state: MesosState, need: TaskNeed, moving: ReadonlySet<string>): Placement {
  const agents = state.slaves.filter((s) => s.active !== false);
  if (agents.length === 0) return { verdict: 'fits' };
  const freeable = new Map<string, Record<string, number>>();
  for (const fw of state.frameworks) {
    const marathon = fw.name === 'marathon';
    for (const task of fw.tasks ?? []) {
      if (!mayGoAway(task, marathon, moving)) continue;
      const sum = freeable.get(task.slave_id) ?? { cpus: 0, mem: 0, disk: 0 };
      for (const { key } of RESOURCES) sum[key] += num(task.resources?.[key]);
      freeable.set(task.slave_id, sum);
    }
  }
  const tooBig: string[] = [];
  const noRoom: string[] = [];
  for (const agent of agents) {
    const total = agent.resources ?? {};
    const used = agent.used_resources ?? {};
    const soon = freeable.get(agent.id) ?? { cpus: 0, mem: 0, disk: 0 };
    const over: string[] = [];
    const full: string[] = [];
    for (const { key, label } of RESOURCES) {
      const want = need[key];
      if (want <= 0) continue;
      const all = num(total[key]);
      const free = round(Math.max(0, all - num(used[key])));
      if (want > all) over.push(`needs ${label(want)}, the node has ${round(all)}`);
      else if (want > free + soon[key]) full.push(`needs ${label(want)}, ${free} free`);
    }
    if (over.length === 0 && full.length === 0) return { verdict: 'fits' };
    (over.length ? tooBig : noRoom).push(over.length ? over.join('; ') : full.join('; '));
  }
  const where = (reasons: string[]) => (agents.length === 1 ? reasons[0] : `no node has room (${reasons[0]}, on the first)`);
  if (noRoom.length === 0) return { verdict: 'too-big', reason: where(tooBig) };
  return { verdict: 'no-room', reason: `${where(noRoom.length ? noRoom : tooBig)}, and no task on the cluster is going to free enough (nothing else is deploying)` };
}

function mayGoAway(task: MesosTask, marathon: boolean, moving: ReadonlySet<string>): boolean {
  if (task.state === 'TASK_KILLING') return true;
  if (!marathon) return true;
  const appId = appIdOfTaskId(task.id);
  return appId !== undefined && moving.has(appId);
}

/**
 * The apps whose tasks the deployments in progress may stop, freeing their resources. The watched
 * app's own deployment frees nothing when it only starts or adds tasks: only a restart, a stop or
 * a scale-down of it does.
 */
export function movingApps(deployments: readonly MarathonDeployment[], appId: string, scalingDown: boolean): Set<string> {
  const moving = new Set<string>();
  for (const d of deployments) {
    for (const step of d.steps.slice(Math.max(0, d.currentStep - 1))) {
      for (const action of step.actions) {
        if (action.app !== appId) moving.add(action.app);
        else if (action.action === 'RestartApplication' || action.action === 'StopApplication' || scalingDown) moving.add(appId);
      }
    }
    // A deployment whose steps are not known still affects its apps.
    if (d.steps.length === 0) for (const app of d.affectedApps) if (app !== appId) moving.add(app);
  }
  return moving;
}


/**
 * The placement of a queued app's next task, given the deployments in progress; `scalingDown`:
 * the app has more tasks than it wants, so its own deployment frees some.
 */
export function placementOfQueued(state: MesosState, deployments: readonly MarathonDeployment[], queued: QueueItem, scalingDown: boolean): Placement {
  return placementOf(state, needOf(queued.app), movingApps(deployments, queued.app.id, scalingDown));
}
