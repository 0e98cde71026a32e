/**
 * Finding and following task processes beyond their pid: by their environment, by process group.
 * A pid is only ever signalled while its recorded start (src/core/process-start.ts) still matches.
 * Any /proc entry may vanish between two reads (the process exited and was reaped): that is
 * "gone", never an error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { HAS_PROC, readProcessStart, readProcStat } from '../../core/process-start.js';

export { isSameProcess, readProcessStart } from '../../core/process-start.js';

/** The numeric entries of /proc (one per process), or null where it is missing or unreadable. */
function procEntries(): string[] | null {
  if (!HAS_PROC) return null;
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
}

/** A process's NUL-separated environment block, or null (gone, or not ours to read). */
function readEnviron(pid: number | string): Buffer | null {
  try {
    return readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
}

/**
 * Pids of the live processes whose environment (`environ`, read once) `match` accepts, in /proc's
 * order. Only processes we may read (same user, or root) are seen; empty where there is no /proc.
 */
export function findProcesses(match: (environ: Buffer, pid: number) => boolean): number[] {
  const found: number[] = [];
  for (const entry of procEntries() ?? []) {
    const environ = readEnviron(entry);
    if (environ === null) continue;
    const pid = Number(entry);
    if (match(environ, pid) && readProcessStart(pid) !== null) found.push(pid);
  }
  return found;
}

/**
 * Pids of live processes whose environment holds `name=value`, in ascending order. Recovery uses
 * it to find task processes whose pid never made it to the store (the daemon died between spawn
 * and write).
 */
export function findProcessesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}`);
  return findProcesses((environ) => hasEnvEntry(environ, needle)).sort((a, b) => a - b);
}

/** The value of one environment variable of a process we may read, or null. */
export function processEnvValue(pid: number, name: string): string | null {
  const environ = readEnviron(pid);
  return environ === null ? null : envValue(environ, name);
}

/** The value of `name` in an environment block, or null. */
export function envValue(environ: Buffer, name: string): string | null {
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
  const entries = procEntries();
  if (entries === null) return null;
  const wanted = String(pgid);
  const members: number[] = [];
  for (const entry of entries) {
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
