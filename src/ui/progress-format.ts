/**
 * Text for deployment progress, shared by the plain reporter and the live view. Pure functions:
 * nothing here imports ink or react, so the plain path stays cheap.
 */
import type { TaskView, WatchSnapshot } from '../actions/watch-types.js';
import { delayText, failureText, waitingText } from '../actions/watch-text.js';

/** How a piece of text would be coloured in a terminal; `undefined` is plain. */
export type Tone = 'green' | 'yellow' | 'red' | 'cyan' | undefined;

// CSI sequences (colours, cursor moves), OSC sequences (titles, links), then other C0 controls.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One printable line: escape codes and control characters removed, line breaks folded into spaces. */
export function oneLine(text: string): string {
  return text.replace(ANSI, '').replace(/\s*[\r\n]+\s*/g, ' ').replace(CONTROL, '').trim();
}

const two = (n: number) => String(n).padStart(2, '0');

/** `HH:MM:SS`, 24 h, local time. */
export function clockTime(at: Date): string {
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/** `7s`, `1m05s`, `2h03m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
}

const UUID = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** A task id with every UUID in it cut to its first 8 characters: `hello-world.1a2b3c4d`. */
export function shortTaskId(id: string): string {
  return id.replace(UUID, '$1');
}

/** `TASK_RUNNING` → `running`. */
export function taskState(task: TaskView): { text: string; tone: Tone } {
  const text = task.state.replace(/^TASK_/, '').toLowerCase();
  if (text === 'running') return { text, tone: 'green' };
  // What a task on its way is doing: `staging: pulling redis:7`.
  if (task.message && text === 'staging') return { text: `${text}: ${oneLine(task.message)}`, tone: 'yellow' };
  if (['failed', 'error', 'killed', 'lost', 'dropped', 'gone', 'gone_by_operator', 'unreachable'].includes(text)) return { text, tone: 'red' };
  return { text, tone: 'yellow' };
}

/** healthy / unhealthy: <cause> / checking (no result yet); undefined when the app has no checks. */
export function taskHealth(task: TaskView): { text: string; tone: Tone } | undefined {
  if (task.healthy === null) return undefined;
  if (task.healthy) return { text: 'healthy', tone: 'green' };
  if (task.healthCause) return { text: `unhealthy: ${oneLine(task.healthCause)}`, tone: 'red' };
  return { text: 'checking', tone: 'yellow' };
}

/** `host:port,port`, the host alone without ports, `---` before placement. */
export function taskAddress(task: TaskView): string {
  if (!task.host) return '---';
  return task.ports.length ? `${task.host}:${task.ports.join(',')}` : task.host;
}

export function stepLine(s: WatchSnapshot): string | undefined {
  if (!s.step) return undefined;
  const actions = s.step.actions.length ? `: ${s.step.actions.join(', ')}` : '';
  return `step ${s.step.current}/${s.step.total}${actions}`;
}

/** The queue line: what waits and why, with the countdown of its backoff. */
export function queueLine(s: WatchSnapshot): string | undefined {
  return s.queue ? oneLine(waitingText(s.queue)) + delayText(s.queue) : undefined;
}

export function failureLine(s: WatchSnapshot): string | undefined {
  return s.lastFailure ? oneLine(failureText(s.lastFailure)) : undefined;
}

export interface TaskRow {
  id: string;
  state: { text: string; tone: Tone };
  address: string;
  health?: { text: string; tone: Tone };
}

/** One row per task, cells padded so the columns line up (the last one is left ragged). */
export function taskRows(tasks: readonly TaskView[]): TaskRow[] {
  const rows = tasks.map((t) => {
    const state = taskState(t);
    // A task of the previous configuration, on its way out in a rolling update.
    if (t.current === false) state.text += ' (old)';
    return { id: shortTaskId(t.id), state, address: taskAddress(t), health: taskHealth(t) };
  });
  const width = (pick: (r: TaskRow) => string) => Math.max(0, ...rows.map((r) => pick(r).length));
  const idW = width((r) => r.id);
  const stateW = width((r) => r.state.text);
  const addrW = width((r) => r.address);
  const anyHealth = rows.some((r) => r.health);
  return rows.map((r) => ({
    id: r.id.padEnd(idW),
    state: { ...r.state, text: r.state.text.padEnd(stateW) },
    address: anyHealth ? r.address.padEnd(addrW) : r.address,
    health: r.health,
  }));
}
