/**
 * What this node offers (cpus, mem, disk, gpus) and what running tasks reserve. A task that does
 * not fit waits in the queue, and the queue says which resource was short, with Marathon's reasons.
 */

export interface Resources {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

export const NO_RESOURCES: Resources = { cpus: 0, mem: 0, disk: 0, gpus: 0 };

import type { RejectReason } from '../engine/queue.js';

const EPSILON = 1e-9;

export class ResourcePool {
  private used: Resources = { ...NO_RESOURCES };

  constructor(readonly total: Resources) {}

  /** The reasons a request does not fit now, empty when it fits. */
  shortfall(request: Resources): RejectReason[] {
    const free = this.free();
    const reasons: RejectReason[] = [];
    if (request.cpus > free.cpus + EPSILON) reasons.push('InsufficientCpus');
    if (request.mem > free.mem + EPSILON) reasons.push('InsufficientMemory');
    if (request.disk > free.disk + EPSILON) reasons.push('InsufficientDisk');
    if (request.gpus > free.gpus + EPSILON) reasons.push('InsufficientGpus');
    return reasons;
  }

  reserve(r: Resources): void {
    this.used = add(this.used, r, 1);
  }

  release(r: Resources): void {
    this.used = add(this.used, r, -1);
    // Floating-point drift must never make resources look used when nothing runs.
    for (const k of Object.keys(this.used) as Array<keyof Resources>) if (this.used[k] < EPSILON) this.used[k] = 0;
  }

  free(): Resources {
    return add(this.total, this.used, -1);
  }

  usedResources(): Resources {
    return { ...this.used };
  }
}

function add(a: Resources, b: Resources, sign: 1 | -1): Resources {
  return { cpus: a.cpus + sign * b.cpus, mem: a.mem + sign * b.mem, disk: a.disk + sign * b.disk, gpus: a.gpus + sign * b.gpus };
}

/** A human sentence for the queue: which resources are short, by how much. */
export function describeShortfall(reasons: RejectReason[], request: Resources, free: Resources): string {
  const parts = reasons.map((r) => {
    switch (r) {
      case 'InsufficientCpus':
        return `cpus: needs ${request.cpus}, ${round(free.cpus)} free`;
      case 'InsufficientMemory':
        return `mem: needs ${request.mem} MB, ${round(free.mem)} MB free`;
      case 'InsufficientDisk':
        return `disk: needs ${request.disk} MB, ${round(free.disk)} MB free`;
      case 'InsufficientGpus':
        return `gpus: needs ${request.gpus}, ${round(free.gpus)} free`;
      case 'InsufficientPorts':
        return 'no free host ports in the agent range';
      default:
        return 'a placement constraint cannot be met on this node';
    }
  });
  return `Not enough resources on this node: ${parts.join('; ')}`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
