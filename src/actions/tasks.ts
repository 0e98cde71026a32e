/**
 * The tasks of the attached cluster, as `dcos task` shows them: listing with filters, finding one
 * task from an id fragment, listing its sandbox and reading its logs.
 */
import { posix } from 'node:path';
import { DcosError } from '../core/errors.js';
import type { FileEntry, LogReader, Scheduler, Task } from '../scheduler/types.js';
import { compareText } from '../core/compare.js';

export interface TaskListOptions {
  filter?: string;
  /** Finished tasks only. */
  completed?: boolean;
  /** Active and finished tasks. */
  all?: boolean;
}

/** A filter with `*` or `?` is a shell glob over the whole id or name; otherwise a substring of either. */
export function taskMatcher(filter: string | undefined): (row: { id: string; name: string }) => boolean {
  if (!filter) return () => true;
  if (/[*?]/.test(filter)) {
    const source = filter.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    const re = new RegExp(`^${source}$`);
    return (row) => re.test(row.id) || re.test(row.name);
  }
  return (row) => row.id.includes(filter) || row.name.includes(filter);
}

export async function listTasks(scheduler: Scheduler, opts: TaskListOptions = {}): Promise<Task[]> {
  const rows = await scheduler.listTasks({ active: !opts.completed || Boolean(opts.all), completed: Boolean(opts.completed || opts.all) });
  const matches = taskMatcher(opts.filter);
  return rows.filter(matches).sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
}

/**
 * The one task an id or id fragment names: an exact id first, then a fragment of the id of an
 * active task, then of a finished one.
 */
export async function resolveTask(scheduler: Scheduler, fragment: string): Promise<Task> {
  const all = await scheduler.listTasks({ active: true, completed: true });
  const exact = all.find((t) => t.id === fragment);
  if (exact) return exact;
  for (const pool of [all.filter((t) => !t.completed), all.filter((t) => t.completed)]) {
    const found = pool.filter((t) => t.id.includes(fragment));
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      const ids = found.map((t) => t.id).sort();
      const shown = ids.length > 10 ? [...ids.slice(0, 10), `... (${ids.length - 10} more)`] : ids;
      throw new DcosError('EAMBIGUOUS', `several tasks match '${fragment}': ${shown.join(', ')}`, { hint: 'Give more of the task id.' });
    }
  }
  throw new DcosError('ENOT_FOUND', `no task ID found containing '${fragment}'`, { hint: 'See the tasks with "dcos task --all".' });
}

export interface SandboxListing {
  taskId: string;
  directory: string;
  entries: Array<FileEntry & { name: string }>;
}

/** `ls` of a path inside a task's sandbox (a file lists as itself). */
export async function listSandbox(scheduler: Scheduler, fragment: string, path = '.'): Promise<SandboxListing> {
  const task = await resolveTask(scheduler, fragment);
  const relative = posix.normalize(path.replace(/^\/+/, '') || '.');
  const outside = () => new DcosError('EOUTSIDE_SANDBOX', `cannot access '${path}': it is outside the sandbox of task ${task.id}`);
  if (relative === '..' || relative.startsWith('../')) throw outside();
  const named = (entries: FileEntry[]) => entries.map((e) => ({ ...e, name: posix.basename(e.path) })).sort((a, b) => compareText(a.name, b.name));
  try {
    const { directory, entries } = await scheduler.listFiles({ id: task.id, nodeId: task.nodeId }, relative);
    return { taskId: task.id, directory, entries: named(entries) };
  } catch (err) {
    const code = (err as DcosError).code;
    if (code === 'EOUTSIDE_SANDBOX') throw outside();
    if (code === 'ENOT_FOUND') throw new DcosError('ENOT_FOUND', `cannot access '${path}': no such file or directory`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Logs: the last lines of a sandbox file, then (with follow) every new line as it is written.

export interface LogLine {
  taskId: string;
  text: string;
}

export interface LogTask {
  id: string;
  nodeId?: string;
}

export interface ReadLogsOptions {
  /** File name inside the sandbox: stdout, stderr, or any other. */
  file: string;
  /** How many of the last lines of each task to start with. */
  lines: number;
  follow: boolean;
  signal: AbortSignal;
  /** The tasks to read. With `recheck`, asked again every `recheckMs` while following. */
  tasks: () => Promise<LogTask[]>;
  recheck?: boolean;
  pollMs?: number;
  recheckMs?: number;
}

interface Source {
  taskId: string;
  reader: LogReader;
}

const isNotFound = (err: unknown) => (err as DcosError).code === 'ENOT_FOUND';

async function sourceOf(scheduler: Scheduler, task: LogTask, file: string): Promise<Source | undefined> {
  const reader = await scheduler.openLog({ id: task.id, nodeId: task.nodeId }, file);
  return reader ? { taskId: task.id, reader } : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The log lines of some tasks: first the last `lines` of each, then, when following, new lines
 * every `pollMs` until `signal` aborts. With `recheck`, tasks that appear later (restarts,
 * replacements) are read from their start and tasks that end are read to their end; a line is
 * never given twice.
 */
export async function* readLogs(scheduler: Scheduler, opts: ReadLogsOptions): AsyncGenerator<LogLine[]> {
  const { signal } = opts;
  const followed = new Map<string, Source>();
  const seen = new Set<string>();
  const end = (src: Source) => {
    src.reader.close();
    followed.delete(src.taskId);
  };
  try {
    for (const task of await opts.tasks()) {
      const src = await sourceOf(scheduler, task, opts.file);
      if (!src) {
        if (opts.recheck) continue; // not launched yet: picked up later
        throw new DcosError('ENO_SANDBOX', `The sandbox of task ${task.id} is no longer on its agent`);
      }
      let tail;
      try {
        tail = await src.reader.tail(opts.lines);
      } catch (err) {
        src.reader.close();
        if (!isNotFound(err)) throw err;
        throw new DcosError('ENOT_FOUND', `No file '${opts.file}' in the sandbox of task ${task.id}`, { hint: `See its files with "dcos task ls ${task.id}".` });
      }
      seen.add(task.id);
      const lines = opts.follow || !tail.partial ? tail.lines : [...tail.lines, tail.partial].slice(-opts.lines);
      followed.set(task.id, src);
      if (lines.length) yield lines.map((text) => ({ taskId: task.id, text }));
    }
    if (!opts.follow) return;
    const pollMs = opts.pollMs ?? 500;
    const recheckMs = opts.recheckMs ?? 2000;
    let checked = Date.now();
    while (await sleep(pollMs, signal)) {
      const ending = new Set<string>();
      if (opts.recheck && Date.now() - checked >= recheckMs) {
        checked = Date.now();
        const current = await opts.tasks();
        const ids = new Set(current.map((t) => t.id));
        for (const id of followed.keys()) if (!ids.has(id)) ending.add(id);
        for (const task of current) {
          if (seen.has(task.id)) continue;
          const src = await sourceOf(scheduler, task, opts.file);
          if (!src) continue; // not launched yet: next time
          seen.add(task.id);
          followed.set(task.id, src);
        }
      }
      const batch: LogLine[] = [];
      for (const src of [...followed.values()]) {
        const flush = ending.has(src.taskId);
        try {
          for (const text of await src.reader.next(flush)) batch.push({ taskId: src.taskId, text });
        } catch (err) {
          // A new task's file may not exist yet; a finished task's sandbox may be gone.
          if (!isNotFound(err)) throw err;
          if (flush) end(src);
          continue;
        }
        if (flush) end(src);
      }
      if (batch.length) yield batch;
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    for (const src of followed.values()) src.reader.close();
  }
}
