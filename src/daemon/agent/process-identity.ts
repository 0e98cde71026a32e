/**
 * Telling one process apart from another beyond its pid. Pids are recycled, so the daemon records
 * a process's start time next to its pid and only ever signals a pid whose start time still
 * matches. Linux reads /proc; elsewhere (macOS) `ps` gives a coarser but usable answer.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const HAS_PROC = process.platform === 'linux';

interface ProcStat {
  state: string;
  pgrp: string;
  start: string;
}

/** State, process group and start time from `/proc/<pid>/stat`; null when the process is gone. */
function readProcStat(pid: number | string): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
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

/**
 * Pids of live processes whose environment holds `name=value`. Recovery uses it to find task
 * processes whose pid never made it to the store (the daemon died between spawn and write).
 * Only processes we may read (same user, or root) are seen; empty where there is no /proc.
 */
export function findProcessesWithEnv(name: string, value: string): number[] {
  if (!HAS_PROC) return [];
  const needle = Buffer.from(`${name}=${value}`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (hasEnvEntry(environ, needle)) {
      const pid = Number(entry);
      if (readProcessStart(pid) !== null) found.push(pid);
    }
  }
  return found.sort((a, b) => a - b);
}

/** The value of one environment variable of a process we may read, or null. */
export function processEnvValue(pid: number, name: string): string | null {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
  const prefix = `${name}=`;
  for (const entry of environ.toString('utf8').split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return null;
}

/** Whether the NUL-separated environment block holds exactly the entry `needle`. */
function hasEnvEntry(environ: Buffer, needle: Buffer): boolean {
  let from = 0;
  while (from < environ.length) {
    let end = environ.indexOf(0, from);
    if (end < 0) end = environ.length;
    if (end - from === needle.length && environ.subarray(from, end).equals(needle)) return true;
    from = end + 1;
  }
  return false;
}

/**
 * Pids of the non-zombie members of process group `pgid`, or null where /proc is missing.
 * kill(-pgid, 0) alone is not enough: members orphaned under a PID 1 that never reaps (common in
 * containers) linger as zombies and keep the group "alive" forever.
 */
export function liveGroupMembers(pgid: number): number[] | null {
  if (!HAS_PROC) return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const wanted = String(pgid);
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(entry);
    if (stat && stat.pgrp === wanted && stat.state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Whether any process is left in process group `pgid` (EPERM means it exists but is not ours). */
export function isProcessGroupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
