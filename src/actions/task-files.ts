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

const CHUNK = 16384;

/**
 * The last `lines` complete lines of the file, the unfinished line after them (if any), and the
 * offset where that unfinished line starts. Reads backwards in chunks, as the DC/OS CLI does.
 */
export async function tailLines(scheduler: Scheduler, agentId: string, path: string, lines: number): Promise<{ lines: string[]; partial: string; offset: number }> {
  const { offset: size } = await scheduler.readFile(agentId, path, -1);
  let start = size;
  let text = '';
  while (start > 0 && text.split('\n').length <= lines + 1) {
    const from = Math.max(0, start - CHUNK);
    text = (await scheduler.readFile(agentId, path, from, start - from)).data + text;
    start = from;
  }
  // A chunk may begin inside a line (or a character): drop that piece unless it is the file's start.
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  const cut = text.lastIndexOf('\n');
  const partial = text.slice(cut + 1);
  const complete = cut < 0 ? [] : text.slice(0, cut).split('\n');
  return { lines: lines === 0 ? [] : complete.slice(-lines), partial, offset: size - Buffer.byteLength(partial) };
}

export async function stderrTail(scheduler: Scheduler, taskId: string, agentId: string | undefined, lines: number): Promise<string[]> {
  const sandbox = await sandboxOf(scheduler, taskId, agentId);
  if (!sandbox) return [];
  const tail = await tailLines(scheduler, sandbox.agentId, `${sandbox.directory}/stderr`, lines);
  // A last line without its newline is still the last thing the task said.
  return (tail.partial ? [...tail.lines, tail.partial] : tail.lines).slice(-lines);
}
