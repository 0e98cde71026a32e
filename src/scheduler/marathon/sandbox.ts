/**
 * A task's sandbox files through the Mesos agent API (every Marathon cluster kind has it): finding
 * the sandbox, reading a file from its end and as it grows, listing a directory.
 */
import { posix } from 'node:path';
import { DcosError } from '../../core/errors.js';
import type { FileEntry, LogReader, TaskRef } from '../types.js';
import type { SandboxEntry } from './api-types.js';
import type { MarathonClient } from './client.js';

interface Executor {
  id: string;
  directory: string;
  tasks?: Array<{ id: string }>;
  completed_tasks?: Array<{ id: string }>;
  queued_tasks?: Array<{ id: string }>;
}

/** The sandbox directory of a task, found as the DC/OS CLI finds it: the executor holding the task. */
export async function sandboxOf(client: MarathonClient, taskId: string, agentId?: string): Promise<{ agentId: string; directory: string } | undefined> {
  const agents = agentId ? [agentId] : (await client.mesosState()).slaves.map((s) => s.id);
  for (const id of agents) {
    const state = (await client.agentState(id)) as { frameworks?: Array<{ executors?: Executor[]; completed_executors?: Executor[] }> };
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
/** The files API returns at most this much per read; a line as long is given as it is. */
const MAX_READ = 64 * 1024;

/**
 * The last `lines` complete lines of the file, the unfinished line after them (if any), and the
 * offset where that unfinished line starts. Reads backwards in chunks, as the DC/OS CLI does.
 */
export async function tailLines(client: MarathonClient, agentId: string, path: string, lines: number): Promise<{ lines: string[]; partial: string; offset: number }> {
  const { offset: size } = await client.readFile(agentId, path, -1);
  let start = size;
  let text = '';
  while (start > 0 && text.split('\n').length <= lines + 1) {
    const from = Math.max(0, start - CHUNK);
    text = (await client.readFile(agentId, path, from, start - from)).data + text;
    start = from;
  }
  // A chunk may begin inside a line (or a character): drop that piece unless it is the file's start.
  if (start > 0) text = text.slice(text.indexOf('\n') + 1);
  const cut = text.lastIndexOf('\n');
  const partial = text.slice(cut + 1);
  const complete = cut < 0 ? [] : text.slice(0, cut).split('\n');
  return { lines: lines === 0 ? [] : complete.slice(-lines), partial, offset: size - Buffer.byteLength(partial) };
}

/** A sandbox file read by byte offset: never a line twice, never half a line (unless flushed). */
export class SandboxLogReader implements LogReader {
  /** Byte offset of the first line not given yet (always the start of a line). */
  private offset = 0;

  constructor(
    private readonly client: MarathonClient,
    private readonly agentId: string,
    private readonly path: string,
  ) {}

  async tail(lines: number): Promise<{ lines: string[]; partial: string }> {
    const tail = await tailLines(this.client, this.agentId, this.path, lines);
    this.offset = tail.offset;
    return { lines: tail.lines, partial: tail.partial };
  }

  async next(flush = false): Promise<string[]> {
    const out: string[] = [];
    for (let reads = 0; reads < 64; reads++) {
      const { data } = await this.client.readFile(this.agentId, this.path, this.offset);
      if (data === '') break;
      const cut = data.lastIndexOf('\n');
      const bytes = Buffer.byteLength(data);
      if (cut < 0 && !flush && bytes < MAX_READ) break;
      const complete = cut < 0 || (flush && cut < data.length - 1) ? data : data.slice(0, cut + 1);
      out.push(...complete.replace(/\n$/, '').split('\n'));
      this.offset += complete === data ? bytes : Buffer.byteLength(complete);
      if (bytes < MAX_READ && !flush) break;
    }
    return out;
  }

  close(): void {
    // Nothing is held open between reads.
  }
}

export async function openSandboxLog(client: MarathonClient, task: TaskRef, file: string): Promise<LogReader | undefined> {
  const sandbox = await sandboxOf(client, task.id, task.nodeId);
  return sandbox ? new SandboxLogReader(client, sandbox.agentId, posix.join(sandbox.directory, file)) : undefined;
}

/**
 * The entries at `relative` (a normalized path inside the sandbox): a directory lists its entries,
 * a file lists as itself.
 */
export async function listSandboxFiles(client: MarathonClient, task: TaskRef, relative: string): Promise<{ directory: string; entries: FileEntry[] }> {
  const sandbox = await sandboxOf(client, task.id, task.nodeId);
  if (!sandbox) throw new DcosError('ENO_SANDBOX', `The sandbox of task ${task.id} is no longer on its agent`);
  const { agentId, directory } = sandbox;
  const target = relative === '.' ? directory : posix.join(directory, relative);
  try {
    return { directory, entries: await client.browse(agentId, target) };
  } catch (err) {
    const code = (err as DcosError).code;
    if (code === 'EFORBIDDEN') throw new DcosError('EOUTSIDE_SANDBOX', `${relative} is outside the sandbox`);
    if (code !== 'ENOT_FOUND' || relative === '.') throw err;
  }
  // Not a directory: perhaps a file, listed by its parent.
  const siblings = await client.browse(agentId, posix.dirname(target)).catch(() => [] as SandboxEntry[]);
  const entry = siblings.find((e) => posix.basename(e.path) === posix.basename(target));
  if (!entry) throw new DcosError('ENOT_FOUND', `${relative}: no such file or directory`);
  return { directory, entries: [entry] };
}
