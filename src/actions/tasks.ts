/**
 * Mesos tasks of the attached cluster, as `dcos task` reads them from the master state: listing
 * with filters, finding one task from an id fragment, and listing a task's sandbox.
 */
import { posix } from 'node:path';
import { DcosError } from '../core/errors.js';
import type { MesosState, MesosTask, SandboxEntry, Scheduler } from '../scheduler/types.js';
import { sandboxOf, tailLines } from './task-files.js';
import { compareText } from '../core/compare.js';

export interface TaskRow {
  id: string;
  name: string;
  host: string | undefined;
  user: string | undefined;
  state: string;
  health: 'healthy' | 'unhealthy' | undefined;
  agentId: string;
  frameworkId: string;
  completed: boolean;
  task: MesosTask;
}

export interface TaskListOptions {
  filter?: string;
  /** Finished tasks only. */
  completed?: boolean;
  /** Active and finished tasks. */
  all?: boolean;
}

type Framework = { id: string; user?: unknown; tasks?: MesosTask[]; completed_tasks?: MesosTask[] };

/** The tasks of the master state as rows, active ones and/or finished ones. */
export function taskRows(state: MesosState, which: { active: boolean; completed: boolean }): TaskRow[] {
  const hosts = new Map(state.slaves.map((s) => [s.id, s.hostname]));
  const rows: TaskRow[] = [];
  const add = (fw: Framework, task: MesosTask, completed: boolean) => {
    const last = task.statuses?.[task.statuses.length - 1];
    const user = (task as { user?: unknown }).user ?? fw.user;
    rows.push({
      id: task.id,
      name: task.name,
      host: hosts.get(task.slave_id),
      user: typeof user === 'string' ? user : undefined,
      state: task.state,
      health: last?.healthy === undefined ? undefined : last.healthy ? 'healthy' : 'unhealthy',
      agentId: task.slave_id,
      frameworkId: task.framework_id ?? fw.id,
      completed,
      task,
    });
  };
  for (const fw of state.frameworks as Framework[]) {
    if (which.active) for (const t of fw.tasks ?? []) add(fw, t, false);
    if (which.completed) for (const t of fw.completed_tasks ?? []) add(fw, t, true);
  }
  if (which.completed) {
    for (const fw of (state.completed_frameworks ?? []) as Framework[]) {
      for (const t of [...(fw.tasks ?? []), ...(fw.completed_tasks ?? [])]) add(fw, t, true);
    }
  }
  return rows;
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

export async function listTasks(scheduler: Scheduler, opts: TaskListOptions = {}): Promise<TaskRow[]> {
  const state = await scheduler.mesosState();
  const rows = taskRows(state, { active: !opts.completed || Boolean(opts.all), completed: Boolean(opts.completed || opts.all) });
  const matches = taskMatcher(opts.filter);
  return rows.filter(matches).sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
}

/**
 * The one task an id or id fragment names: an exact id first, then a fragment of the id of an
 * active task, then of a finished one.
 */
export async function resolveTask(scheduler: Scheduler, fragment: string): Promise<TaskRow> {
  const state = await scheduler.mesosState();
  const active = taskRows(state, { active: true, completed: false });
  const done = taskRows(state, { active: false, completed: true });
  const exact = [...active, ...done].find((t) => t.id === fragment);
  if (exact) return exact;
  for (const pool of [active, done]) {
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

/** The sandbox of a task, or a plain error when its agent no longer has it. */
export async function requireSandbox(scheduler: Scheduler, task: { id: string; agentId?: string }): Promise<{ agentId: string; directory: string }> {
  const sandbox = await sandboxOf(scheduler, task.id, task.agentId);
  if (!sandbox) throw new DcosError('ENO_SANDBOX', `The sandbox of task ${task.id} is no longer on its agent`);
  return sandbox;
}

export interface SandboxListing {
  taskId: string;
  directory: string;
  entries: Array<SandboxEntry & { name: string }>;
}

/** `ls` of a path inside a task's sandbox (a file lists as itself). */
export async function listSandbox(scheduler: Scheduler, fragment: string, path = '.'): Promise<SandboxListing> {
  const task = await resolveTask(scheduler, fragment);
  const { agentId, directory } = await requireSandbox(scheduler, task);
  const relative = posix.normalize(path.replace(/^\/+/, '') || '.');
  const outside = () => new DcosError('EOUTSIDE_SANDBOX', `cannot access '${path}': it is outside the sandbox of task ${task.id}`);
  if (relative === '..' || relative.startsWith('../')) throw outside();
  const target = relative === '.' ? directory : posix.join(directory, relative);
  const named = (entries: SandboxEntry[]) => entries.map((e) => ({ ...e, name: posix.basename(e.path) })).sort((a, b) => compareText(a.name, b.name));
  const missing = () => new DcosError('ENOT_FOUND', `cannot access '${path}': no such file or directory`);
  try {
    return { taskId: task.id, directory, entries: named(await scheduler.browse(agentId, target)) };
  } catch (err) {
    const code = (err as DcosError).code;
    if (code === 'EFORBIDDEN') throw outside();
    if (code !== 'ENOT_FOUND' || relative === '.') throw code === 'ENOT_FOUND' ? missing() : err;
  }
  // Not a directory: perhaps a file, listed by its parent.
  const parent = posix.dirname(target);
  const siblings = await scheduler.browse(agentId, parent).catch(() => [] as SandboxEntry[]);
  const entry = siblings.find((e) => posix.basename(e.path) === posix.basename(target));
  if (!entry) throw missing();
  return { taskId: task.id, directory, entries: named([entry]) };
}

// ---------------------------------------------------------------------------------------------
// Logs: the last lines of a sandbox file, then (with follow) every new line as it is written.

export interface LogLine {
  taskId: string;
  text: string;
}

export interface LogTask {
  id: string;
  agentId?: string;
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
  agentId: string;
  path: string;
  /** Byte offset of the first line not printed yet (always the start of a line). */
  offset: number;
}

/** The files API returns at most this much per read; a line as long is printed as it is. */
const MAX_READ = 64 * 1024;

const isNotFound = (err: unknown) => (err as DcosError).code === 'ENOT_FOUND';

async function sourceOf(scheduler: Scheduler, task: LogTask, file: string): Promise<Source | undefined> {
  const sandbox = await sandboxOf(scheduler, task.id, task.agentId);
  if (!sandbox) return undefined;
  return { taskId: task.id, agentId: sandbox.agentId, path: posix.join(sandbox.directory, file), offset: 0 };
}

/** New complete lines of a source since its offset (all that is left, with `flush`). */
async function readNew(scheduler: Scheduler, src: Source, flush: boolean): Promise<string[]> {
  const out: string[] = [];
  for (let reads = 0; reads < 64; reads++) {
    const { data } = await scheduler.readFile(src.agentId, src.path, src.offset);
    if (data === '') break;
    const cut = data.lastIndexOf('\n');
    const bytes = Buffer.byteLength(data);
    if (cut < 0 && !flush && bytes < MAX_READ) break;
    const complete = cut < 0 || (flush && cut < data.length - 1) ? data : data.slice(0, cut + 1);
    out.push(...complete.replace(/\n$/, '').split('\n'));
    src.offset += complete === data ? bytes : Buffer.byteLength(complete);
    if (bytes < MAX_READ && !flush) break;
  }
  return out;
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
  try {
    for (const task of await opts.tasks()) {
      const src = await sourceOf(scheduler, task, opts.file);
      if (!src) {
        if (opts.recheck) continue; // not launched yet: picked up later
        throw new DcosError('ENO_SANDBOX', `The sandbox of task ${task.id} is no longer on its agent`);
      }
      let tail;
      try {
        tail = await tailLines(scheduler, src.agentId, src.path, opts.lines);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        throw new DcosError('ENOT_FOUND', `No file '${opts.file}' in the sandbox of task ${task.id}`, { hint: `See its files with "dcos task ls ${task.id}".` });
      }
      seen.add(task.id);
      const lines = opts.follow || !tail.partial ? tail.lines : [...tail.lines, tail.partial].slice(-opts.lines);
      src.offset = tail.offset;
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
          for (const text of await readNew(scheduler, src, flush)) batch.push({ taskId: src.taskId, text });
        } catch (err) {
          // A new task's file may not exist yet; a finished task's sandbox may be gone.
          if (!isNotFound(err)) throw err;
          if (flush) followed.delete(src.taskId);
          continue;
        }
        if (flush) followed.delete(src.taskId);
      }
      if (batch.length) yield batch;
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
}
