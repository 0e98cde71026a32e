/**
 * `dcos service`: what runs on the attached cluster, as rows. Each Marathon app is a service, and
 * so is each Mesos framework (on the embedded cluster, Marathon itself).
 */
import type { MesosState, Scheduler, SchedulerApp } from '../scheduler/types.js';
import { compareText } from '../core/compare.js';

export interface ServiceRow {
  kind: 'app' | 'framework';
  name: string;
  host: string | undefined;
  active: boolean;
  /** The framework has finished (only with --completed). */
  completed: boolean;
  tasks: number;
  cpu: number;
  mem: number;
  disk: number;
  id: string;
}

export interface ServiceListOptions {
  inactive?: boolean;
  completed?: boolean;
}

/** Rounds away float noise (3 × 0.01 = 0.030000000000000002). */
const round = (n: number) => Math.round(n * 1000) / 1000;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function appRow(app: SchedulerApp, hosts: Map<string, string>): ServiceRow {
  const taskHosts = [...new Set((app.tasks ?? []).map((t) => (t.slaveId ? hosts.get(t.slaveId) : undefined) ?? t.host).filter((h): h is string => Boolean(h)))];
  return {
    kind: 'app',
    name: app.id,
    host: taskHosts.length ? taskHosts.sort().join(',') : undefined,
    active: app.instances > 0 || app.tasksRunning > 0,
    completed: false,
    tasks: app.tasksRunning,
    cpu: round(app.instances * num(app.cpus)),
    mem: round(app.instances * num(app.mem)),
    disk: round(app.instances * num(app.disk)),
    id: app.id,
  };
}

type Framework = { id: string; name: string; hostname?: unknown; active?: unknown; tasks?: unknown[]; resources?: Record<string, unknown> };

function frameworkRow(fw: Framework, completed: boolean): ServiceRow {
  return {
    kind: 'framework',
    name: fw.name,
    host: typeof fw.hostname === 'string' ? fw.hostname : undefined,
    active: !completed && fw.active === true,
    completed,
    tasks: completed ? 0 : (fw.tasks ?? []).length,
    cpu: round(num(fw.resources?.cpus)),
    mem: round(num(fw.resources?.mem)),
    disk: round(num(fw.resources?.disk)),
    id: fw.id,
  };
}

export function serviceRows(apps: readonly SchedulerApp[], state: MesosState, opts: ServiceListOptions = {}): ServiceRow[] {
  const hosts = new Map(state.slaves.map((s) => [s.id, s.hostname]));
  const rows = [
    ...apps.map((a) => appRow(a, hosts)),
    ...(state.frameworks as Framework[]).map((f) => frameworkRow(f, false)),
    ...(opts.completed ? ((state.completed_frameworks ?? []) as Framework[]).map((f) => frameworkRow(f, true)) : []),
  ];
  return rows
    .filter((r) => r.completed || r.active || opts.inactive)
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
}

export async function listServices(scheduler: Scheduler, opts: ServiceListOptions = {}): Promise<ServiceRow[]> {
  const [apps, state] = await Promise.all([scheduler.listApps({ embedTasks: true }), scheduler.mesosState()]);
  return serviceRows(apps, state, opts);
}
