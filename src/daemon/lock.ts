/**
 * One daemon per data dir: a lock file holding the owner's pid and process start time, and the data
 * dir it locks (device and inode). A lock left by a crashed daemon (its process gone, or the pid
 * reused by another program) does not block, nor does one copied along with its data dir (the
 * daemon it names serves the original).
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isSameProcess, readProcessStart } from './agent/process-identity.js';

export interface LockOwner {
  pid: number;
  start: string | null;
  /** Device and inode of the data dir it was taken for. */
  dir?: string;
}

export function readLock(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

export function ownerAlive(owner: LockOwner): boolean {
  if (owner.start) return isSameProcess(owner.pid, owner.start);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes the lock, or returns the live owner that holds it. The lock file appears complete or not
 * at all (written aside, then hard-linked into place), so nobody ever reads a half-written one.
 */
export function acquireLock(file: string, dir: string): { ok: true } | { ok: false; owner: LockOwner } {
  const mine: LockOwner = { pid: process.pid, start: readProcessStart(process.pid), dir };
  const aside = `${file}.${process.pid}`;
  writeFileSync(aside, JSON.stringify(mine), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(aside, file);
        return { ok: true };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = readLock(file);
        const copied = owner?.dir !== undefined && owner.dir !== dir;
        if (owner && owner.pid !== process.pid && !copied && ownerAlive(owner)) return { ok: false, owner };
        // A stale lock: remove it only if it is still the one we judged stale.
        if (JSON.stringify(readLock(file)) === JSON.stringify(owner)) rmSync(file, { force: true });
      }
    }
    const owner = readLock(file);
    if (owner && owner.pid !== process.pid) return { ok: false, owner };
    throw new Error(`Cannot take the lock ${file}`);
  } finally {
    rmSync(aside, { force: true });
  }
}

export function releaseLock(file: string): void {
  const owner = readLock(file);
  if (owner?.pid === process.pid) rmSync(file, { force: true });
}
