/** `dcos node`: the nodes (agents) of the attached cluster. */
import type { ClusterNode, Scheduler } from '../scheduler/types.js';
import { compareText } from '../core/compare.js';

export type NodeRow = ClusterNode & { type: 'agent' };

export async function listNodes(scheduler: Scheduler): Promise<NodeRow[]> {
  return (await scheduler.listNodes())
    .map((n) => ({ ...n, type: 'agent' as const }))
    .sort((a, b) => compareText(a.hostname, b.hostname) || compareText(a.id, b.id));
}
