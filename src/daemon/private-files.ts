/**
 * The data dir holds every app's definition (environment and secrets included), the token and the
 * tasks' output: it is its owner's alone, whatever modes an earlier version or the user left. Its
 * one exception is the search bit (0711: passing through, never listing), which the task runner
 * sets while tasks of another user need the path to their sandboxes, and clears when none do:
 * taken away here it would cut such tasks, adopted across a restart, off their $MESOS_SANDBOX.
 */
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The daemon's own files in the data dir (SQLite's -wal and -shm take the database's mode). */
const PRIVATE_FILES = ['state.db', 'state.db-wal', 'state.db-shm', 'daemon.log', 'token', 'daemon.lock', 'daemon.json', 'cluster-id'];

/** Run by the daemon holding the data dir's lock (another one's start must not touch the modes). */
export function makePrivate(dataDir: string): void {
  chmodSync(dataDir, 0o700 | (statSync(dataDir).mode & 0o011));
  for (const name of PRIVATE_FILES) {
    try {
      chmodSync(join(dataDir, name), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
