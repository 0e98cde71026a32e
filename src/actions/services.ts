/**
 * `dcos service`: what runs on the attached cluster, as rows. Each service (a Marathon app, a
 * Kubernetes workload) is one, and so is each other framework the cluster has (on Mesos).
 */
import type { Framework, Scheduler, Service } from '../scheduler/types.js';
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

function appRow(app: Service): ServiceRow {
  const taskHosts = [...new Set((app.tasks ?? []).map((t) => t.host ?? t.ip).filter((h): h is string => Boolean(h)))];
  return {
    kind: 'app',
    name: app.id,
    host: taskHosts.length ? taskHosts.sort().join(',') : undefined,
    active: app.instances > 0 || app.counts.running > 0,
    completed: false,
    tasks: app.counts.running,
    cpu: round(app.instances * app.resources.cpus),
    mem: round(app.instances * app.resources.mem),
    disk: round(app.instances * app.resources.disk),
    id: app.id,
  };
}

function frameworkRow(fw: Framework): ServiceRow {
  return {
    kind: 'framework',
    name: fw.name,
    host: fw.host,
    active: fw.active,
    completed: fw.completed,
    tasks: fw.tasks,
    cpu: round(fw.resources.cpus),
    mem: round(fw.resources.mem),
    disk: round(fw.resources.disk),
    id: fw.id,
  };
}

export function serviceRows(apps: readonly Service[], frameworks: readonly Framework[], opts: ServiceListOptions = {}): ServiceRow[] {
  const rows = [...apps.map(appRow), ...frameworks.filter((f) => opts.completed || !f.completed).map(frameworkRow)];
  return rows
    .filter((r) => r.completed || r.active || opts.inactive)
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
}

export async function listServices(scheduler: Scheduler, opts: ServiceListOptions = {}): Promise<ServiceRow[]> {
  const [apps, frameworks] = await Promise.all([scheduler.listServices({ tasks: true }), scheduler.listFrameworks({ completed: opts.completed })]);
  return serviceRows(apps, frameworks, opts);
}
