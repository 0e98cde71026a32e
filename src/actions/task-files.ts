/** Reading a task's sandbox files through the Mesos agent API (works on every cluster kind). */
import type { Scheduler } from '../scheduler/types.js';

interface Executor {
  id: string;
  directory: string;
  tasks?: Array<{ id: string }>;
  completed_tasks?: Array<{ id: string }>;
  queued_tasks?: Array<{ id: string }>;
}

/** The sandbox directory of a task, found as the DC/OS CLI finds it: the executor holding the task. */
export async function sandboxOf(scheduler: Scheduler, taskId: string, agentId?: string): Promise<{ agentId: string; directory: string } | undefined> {
  const agents = agentId ? [agentId] : (await scheduler.mesosState()).slaves.map((s) => s.id);
  for (const id of agents) {
    const state = (await scheduler.agentState(id)) as { frameworks?: Array<{ executors?: Executor[]; completed_executors?: Executor[] }> };
    for (const fw of state.frameworks ?? []) {
      for (const ex of [...(fw.executors ?? []), ...(fw.completed_executors ?? [])]) {
        const all = [...(ex.tasks ?? []), ...(ex.completed_tasks ?? []), ...(ex.queued_tasks ?? [])];
        if (ex.id === taskId || all.some((t) => t.id === taskId)) return { agentId: id, directory: ex.directory };
      }
    }
  }
  return undefined;
}

/** The last `lines` lines of a file, reading backwards in chunks as the DC/OS CLI does. */
export async function tailFile(scheduler: Scheduler, agentId: string, path: string, lines: number): Promise<{ lines: string[]; size: number }> {
  const { offset: size } = await scheduler.readFile(agentId, path, -1);
  let start = size;
  let text = '';
  while (start > 0 && text.split('\n').length <= lines + 1) {
    const from = Math.max(0, start - 16384);
    const chunk = await scheduler.readFile(agentId, path, from, start - from);
    text = chunk.data + text;
    start = from;
  }
  const all = text.replace(/\n$/, '').split('\n');
  return { lines: text === '' ? [] : all.slice(-lines), size };
}

export async function stderrTail(scheduler: Scheduler, taskId: string, agentId: string | undefined, lines: number): Promise<string[]> {
  const sandbox = await sandboxOf(scheduler, taskId, agentId);
  if (!sandbox) return [];
  return (await tailFile(scheduler, sandbox.agentId, `${sandbox.directory}/stderr`, lines)).lines;
}
