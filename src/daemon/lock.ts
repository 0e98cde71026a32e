/**
 * One daemon per data dir: a lock file holding the owner's pid and process start time. A lock left
 * by a crashed daemon (its process gone, or the pid reused by another program) does not block.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { isSameProcess, readProcessStart } from './agent/process-identity.js';

export interface LockOwner {
  pid: number;
  start: string | null;
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

/** Takes the lock, or returns the live owner that holds it. */
export function acquireLock(file: string): { ok: true } | { ok: false; owner: LockOwner } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, start: readProcessStart(process.pid) } satisfies LockOwner));
      closeSync(fd);
      return { ok: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readLock(file);
      if (owner && owner.pid !== process.pid && ownerAlive(owner)) return { ok: false, owner };
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Cannot take the lock ${file}`);
}

export function releaseLock(file: string): void {
  const owner = readLock(file);
  if (owner?.pid === process.pid) rmSync(file, { force: true });
}
