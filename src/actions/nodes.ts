/** `dcos node`: the agents of the attached cluster, from the Mesos master state. */
import type { MesosState, Scheduler } from '../scheduler/types.js';
import { compareText } from '../core/compare.js';

export interface NodeRow {
  hostname: string;
  ip: string | undefined;
  id: string;
  type: 'agent';
  status: 'active' | 'inactive';
  cpus: { used: number; total: number };
  mem: { used: number; total: number };
  disk: { used: number; total: number };
  /** The master's own record of the agent, for --json. */
  slave: MesosState['slaves'][number];
}

/** The agent's address from its pid, `slave(1)@10.0.0.7:5051`. */
export function ipOfPid(pid: string | undefined): string | undefined {
  return /@([^:]+):\d+$/.exec(pid ?? '')?.[1];
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? round(v) : 0);

export function nodeRows(state: MesosState): NodeRow[] {
  return state.slaves
    .map((s) => ({
      hostname: s.hostname,
      ip: ipOfPid(s.pid),
      id: s.id,
      type: 'agent' as const,
      status: s.active ? ('active' as const) : ('inactive' as const),
      cpus: { used: num(s.used_resources?.cpus), total: num(s.resources?.cpus) },
      mem: { used: num(s.used_resources?.mem), total: num(s.resources?.mem) },
      disk: { used: num(s.used_resources?.disk), total: num(s.resources?.disk) },
      slave: s,
    }))
    .sort((a, b) => compareText(a.hostname, b.hostname) || compareText(a.id, b.id));
}

export async function listNodes(scheduler: Scheduler): Promise<NodeRow[]> {
  return nodeRows(await scheduler.mesosState());
}
