/**
 * What the cluster daemon tells the CLI that started it when it does not start: its exit code,
 * and for a refused data dir the two log lines saying what it found and how to recover (the CLI
 * finds them in the log by these prefixes, after the timestamp).
 */

/** Another daemon already serves the data dir (a concurrent start won: use that one). */
export const ALREADY_RUNNING_EXIT_CODE = 3;
/** The port is in use or not allowed. */
export const CANNOT_LISTEN_EXIT_CODE = 4;
/** The data dir is not this cluster's: see REFUSED_PREFIX and RECOVERY_PREFIX. */
export const REFUSED_EXIT_CODE = 5;
/** Stopped by a bug (`dcos cluster up` starts it again). */
export const CRASH_EXIT_CODE = 70;

export const REFUSED_PREFIX = 'refusing to start: ';
export const RECOVERY_PREFIX = 'to recover: ';
