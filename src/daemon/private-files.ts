/**
 * The data dir holds every app's definition (environment and secrets included), the token and the
 * tasks' output: it is its owner's alone, whatever modes an earlier version or the user left.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

/** The daemon's own files in the data dir (SQLite's -wal and -shm take the database's mode). */
export const PRIVATE_FILES = ['state.db', 'state.db-wal', 'state.db-shm', 'daemon.log', 'token', 'daemon.lock', 'daemon.json', 'cluster-id'];

export function makePrivate(dataDir: string): void {
  chmodSync(dataDir, 0o700);
  for (const name of PRIVATE_FILES) {
    try {
      chmodSync(join(dataDir, name), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
