/**
 * Telling one process apart from another beyond its pid: pids are recycled, so a pid is recorded
 * with its start time and trusted only while that still matches. Shared by the CLI (is the
 * daemon of daemon.json still alive?) and the daemon (task processes, its own lock).
 * Linux reads /proc; elsewhere (macOS) `ps` gives a coarser but usable answer.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const HAS_PROC = process.platform === 'linux';

export interface ProcStat {
  /** One letter: R, S, D, Z (zombie), T, ... */
  state: string;
  pgrp: string;
  /** Field 22, clock ticks since boot. */
  start: string;
}

/**
 * State, process group and start time from `/proc/<pid>/stat`; null when there is no such entry.
 * A process may exit and be reaped between any two reads of /proc, so a vanished (or unreadable,
 * or half-written) entry is simply "gone", never an error.
 */
export function readProcStat(pid: number | string): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseProcStat(text);
}

/** Parses the text of `/proc/<pid>/stat`; null if it is not complete. */
export function parseProcStat(text: string): ProcStat | null {
  // comm (field 2) is in parentheses and may itself hold spaces and parens: cut after the LAST ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state): field 5 (pgrp) is rest[2], field 22 (starttime) rest[19].
  const [state, , pgrp] = rest;
  const start = rest[19];
  if (!state || !pgrp || !start) return null;
  return { state, pgrp, start };
}

/**
 * An opaque start marker for `pid`, or null if it does not exist. On Linux a zombie counts as
 * gone: it has exited and only waits to be reaped.
 */
export function readProcessStart(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (HAS_PROC) {
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z') return null;
    return stat.start;
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    return out === '' ? null : out;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and is the process that was started at `start` (not a reused pid). */
export function isSameProcess(pid: number, start: string): boolean {
  const current = readProcessStart(pid);
  return current !== null && current === start;
}
