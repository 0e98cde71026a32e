/**
 * Making a task's sandbox before anything else happens to the task: the directory and its stdout
 * and stderr files exist from the start, so a task that fails before its process runs (fetch,
 * checksum, container runtime, user, command) still has a sandbox to look into, holding the
 * agent's own account of what went wrong.
 */
import { closeSync, constants, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export const STDOUT = 'stdout';
export const STDERR = 'stderr';

/** Lines the agent itself writes into a task's stdout/stderr start with this. */
export const AGENT_PREFIX = 'dcos-agent:';

/**
 * Opens one of the sandbox's log files for appending, never through a symlink: if something (an
 * archive, the task) put a link in its place, the link is replaced by a new file.
 */
export function openSandboxLog(file: string): number {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
  try {
    return openSync(file, flags, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
    unlinkSync(file);
    return openSync(file, flags, 0o644);
  }
}

/** Creates the sandbox with empty stdout and stderr. */
export function createSandbox(sandbox: string): void {
  mkdirSync(sandbox, { recursive: true, mode: 0o755 });
  for (const name of [STDOUT, STDERR]) closeSync(openSandboxLog(path.join(sandbox, name)));
}

/**
 * Appends a line of the agent's own (`dcos-agent: <text>`) to the task's stdout and stderr. Best
 * effort: it explains a failure that is reported anyway, so it never throws.
 */
export function noteInSandbox(sandbox: string, text: string): void {
  const line = `${AGENT_PREFIX} ${text.replace(/\n+$/, '')}\n`;
  for (const name of [STDOUT, STDERR]) {
    let fd: number | undefined;
    try {
      fd = openSandboxLog(path.join(sandbox, name));
      writeSync(fd, line);
    } catch {
      // no sandbox to write to (e.g. the disk is full): the task's message still says it
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
