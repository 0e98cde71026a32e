/**
 * The daemon's last line: an exception nothing caught, or a promise rejection nothing handled, is a
 * bug (timers, listeners and store writes handle their own failures). It is written to the daemon
 * log with its stack, and the daemon exits non-zero: a daemon running on in a state nobody knows is
 * worse than one that stops, since a restarted one re-adopts the tasks from the store.
 */
import { CRASH_EXIT_CODE } from '../core/daemon-exit.js';

export function installCrashHandlers(
  proc: Pick<NodeJS.Process, 'on'>,
  log: (message: string) => void,
  exit: (code: number) => void,
): void {
  const crash = (what: string) => (err: unknown) => {
    try {
      log(`${what}, the cluster daemon stops (a bug; please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      exit(CRASH_EXIT_CODE);
    }
  };
  proc.on('uncaughtException', crash('uncaught exception'));
  proc.on('unhandledRejection', crash('unhandled promise rejection'));
}
