/**
 * The reading use cases of the command line, each one call: connect to the attached cluster and
 * read what the command shows. The work is in the functions they call, which take a Scheduler.
 */
import type { Scheduler, Service, Task, VolumeRow } from '../scheduler/types.js';
import { listInstalled, type InstalledPackage } from './installed.js';
import { listNodes, type NodeRow } from './nodes.js';
import { findService } from './service.js';
import { listServices, type ServiceListOptions, type ServiceRow } from './services.js';
import { listSandbox, listTasks, type SandboxListing, type TaskListOptions } from './tasks.js';

import type { Reader } from './session.js';

export type { Reader };

async function on<T>(ctx: Reader, read: (scheduler: Scheduler) => Promise<T>): Promise<T> {
  return read(await ctx.connect());
}

export const taskList = (ctx: Reader, opts: TaskListOptions): Promise<Task[]> => on(ctx, (s) => listTasks(s, opts));

export const taskFiles = (ctx: Reader, task: string, path: string): Promise<SandboxListing> => on(ctx, (s) => listSandbox(s, task, path));

export const nodeList = (ctx: Reader): Promise<NodeRow[]> => on(ctx, listNodes);

export const serviceList = (ctx: Reader, opts: ServiceListOptions): Promise<ServiceRow[]> => on(ctx, (s) => listServices(s, opts));

/** One service with its persistent volumes, as the cluster reports them. */
export function serviceShow(ctx: Reader, name: string): Promise<{ service: Service; volumes?: VolumeRow[] }> {
  return on(ctx, async (s) => {
    const service = await findService(s, name);
    const volumes = (await s.volumes([service])).get(service.id);
    return { service, ...(volumes ? { volumes } : {}) };
  });
}

/** The installed packages matching a name fragment (or one app id), with their volumes. */
export function packageList(ctx: Reader, opts: { filter?: string; appId?: string }): Promise<{ installs: InstalledPackage[]; volumes: Map<string, VolumeRow[]> }> {
  return on(ctx, async (s) => {
    const all = await listInstalled(s, { appId: opts.appId });
    const filter = opts.filter;
    const installs = filter ? all.filter((p) => p.name.includes(filter) || p.appId.includes(filter)) : all;
    return { installs, volumes: await s.volumes(installs.map((p) => p.app)) };
  });
}

