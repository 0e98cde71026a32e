import type { ChildProcess } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcessGroup, LaunchError, launchProcess, type LaunchSpec } from '../../../../src/daemon/agent/launcher.js';
import {
  findProcessesWithEnv,
  isProcessGroupAlive,
  liveGroupMembers,
  readProcessStart,
} from '../../../../src/daemon/agent/process-identity.js';
import { processGroups, tempDirs, waitFor } from './agent-helpers.js';

const linux = process.platform === 'linux';
const groups = processGroups();
const dirs = tempDirs();

afterEach(() => {
  groups.killAll();
  dirs.cleanup();
});

function spec(overrides: Partial<LaunchSpec>): LaunchSpec {
  const sandbox = overrides.sandbox ?? dirs.make('dcos-sandbox-');
  return {
    taskId: 'app.1',
    sandbox,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdoutFile: path.join(sandbox, 'stdout'),
    stderrFile: path.join(sandbox, 'stderr'),
    ...overrides,
  };
}

function launch(s: LaunchSpec) {
  const launched = launchProcess(s);
  groups.track(launched.pid);
  return launched;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * Orphaned members killed with their parent may linger as zombies under a PID 1 that never reaps
 * (as in some containers), which kill(-pgid, 0) still counts; only live members matter.
 */
function groupHasLiveMembers(pid: number): boolean {
  const members = liveGroupMembers(pid);
  return members === null ? isProcessGroupAlive(pid) : members.length > 0;
}

function pgidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/)[2]);
}

describe('launchProcess', () => {
  it('starts the task in its own process group with a recorded start', () => {
    const { pid, start } = launch(spec({ args: ['sleep', '30'] }));
    expect(start).not.toBeNull();
    expect(start).toBe(readProcessStart(pid));
    expect(isProcessGroupAlive(pid)).toBe(true);
    if (linux) expect(pgidOf(pid)).toBe(pid);
  });

  it('writes stdout and stderr to their files, appending', async () => {
    const s = spec({ cmd: 'echo "out $X"; echo err >&2', env: { PATH: process.env.PATH ?? '', X: 'one' } });
    await exitOf(launch(s).child);
    await exitOf(launch({ ...s, env: { ...s.env, X: 'two' } }).child);
    expect(readFileSync(s.stdoutFile, 'utf8')).toBe('out one\nout two\n');
    expect(readFileSync(s.stderrFile, 'utf8')).toBe('err\nerr\n');
  });

  it('runs args without a shell, in the sandbox, with exactly the given environment', async () => {
    const s = spec({ args: ['sh', '-c', 'pwd; env | sort', 'ignored'], env: { PATH: process.env.PATH ?? '', ONLY_THIS: 'yes' } });
    expect(await exitOf(launch(s).child)).toBe(0);
    const lines = readFileSync(s.stdoutFile, 'utf8').trim().split('\n');
    expect(realpathSync(lines[0])).toBe(realpathSync(s.sandbox));
    // sh itself adds PWD (and maybe SHLVL / _); nothing from the test runner leaks through.
    const names = lines.slice(1).map((line) => line.split('=')[0]);
    expect(names).toContain('ONLY_THIS');
    expect(names.filter((n) => !['PATH', 'ONLY_THIS', 'PWD', 'SHLVL', '_', 'OLDPWD'].includes(n))).toEqual([]);

    const literal = spec({ args: ['echo', '$HOME', 'a  b', '*'] });
    await exitOf(launch(literal).child);
    expect(readFileSync(literal.stdoutFile, 'utf8')).toBe('$HOME a  b *\n');
  });

  it('throws LaunchError for a command that does not exist, without an uncaught error later', async () => {
    const s = spec({ args: ['dcos-no-such-command-xyz', 'x'] });
    expect(() => launchProcess(s)).toThrow(LaunchError);
    expect(() => launchProcess(s)).toThrow('Cannot run "dcos-no-such-command-xyz": command not found');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the deferred spawn error must be swallowed
  });

  it('says so when the sandbox is missing', () => {
    const base = dirs.make();
    const sandbox = path.join(base, 'missing');
    const s = spec({ sandbox, cmd: 'true', stdoutFile: path.join(base, 'out'), stderrFile: path.join(base, 'err') });
    expect(() => launchProcess(s)).toThrow(`sandbox directory ${sandbox} does not exist`);
  });

  it('refuses a task with neither cmd nor args', () => {
    expect(() => launchProcess(spec({ cmd: null, args: [] }))).toThrow(LaunchError);
  });

  it.runIf(linux)('can be found again by a unique environment variable', () => {
    const marker = `task-${process.pid}-${Date.now()}`;
    const { pid } = launch(spec({ args: ['sleep', '30'], env: { PATH: process.env.PATH ?? '', MESOS_TASK_ID: marker } }));
    expect(findProcessesWithEnv('MESOS_TASK_ID', marker)).toEqual([pid]);
  });
});

describe('killProcessGroup', () => {
  it('stops a process that exits on SIGTERM within the grace', async () => {
    const { pid, start } = launch(spec({ args: ['sleep', '30'] }));
    const began = Date.now();
    expect(await killProcessGroup(pid, start, 5000)).toBe('exited');
    expect(Date.now() - began).toBeLessThan(4000);
    expect(groupHasLiveMembers(pid)).toBe(false);
  });

  it('lets a shell that traps TERM clean up and exit', async () => {
    const s = spec({ cmd: 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.05; done' });
    const { pid, start, child } = launch(s);
    await waitFor(() => readFileSync(s.stdoutFile, 'utf8').includes('ready'), 5000, 'ready');
    expect(await killProcessGroup(pid, start, 5000)).toBe('exited');
    expect(await exitOf(child)).toBe(0);
    expect(readFileSync(s.stdoutFile, 'utf8')).toContain('got-term');
  });

  it('SIGKILLs a group that ignores SIGTERM once the grace is over', async () => {
    const s = spec({ cmd: 'trap "" TERM; echo ready; while :; do sleep 0.05; done' });
    const { pid, start, child } = launch(s);
    await waitFor(() => readFileSync(s.stdoutFile, 'utf8').includes('ready'), 5000, 'ready');
    const began = Date.now();
    expect(await killProcessGroup(pid, start, 400)).toBe('killed');
    expect(Date.now() - began).toBeGreaterThanOrEqual(390);
    await exitOf(child);
    expect(child.signalCode).toBe('SIGKILL');
    expect(groupHasLiveMembers(pid)).toBe(false);
  });

  it.runIf(linux)('kills the rest of the group when the leader already exited', async () => {
    const s = spec({ cmd: 'sleep 30 & echo $!' });
    const { pid, start, child } = launch(s);
    const orphan = Number(await waitFor(() => readFileSync(s.stdoutFile, 'utf8').trim(), 5000, 'orphan pid'));
    await exitOf(child);
    expect(readProcessStart(orphan)).not.toBeNull();
    expect(await killProcessGroup(pid, start, 5000)).toBe('exited');
    expect(readProcessStart(orphan)).toBeNull();
  });

  it('never signals a pid whose start does not match (a recycled pid)', async () => {
    const { pid } = launch(spec({ args: ['sleep', '30'] }));
    expect(await killProcessGroup(pid, 'wrong-start', 100)).toBe('gone');
    expect(readProcessStart(pid)).not.toBeNull();
  });

  it('reports gone for a process that already ended', async () => {
    const { pid, start, child } = launch(spec({ cmd: 'exit 3' }));
    expect(await exitOf(child)).toBe(3);
    expect(await killProcessGroup(pid, start, 100)).toBe('gone');
  });

  it('stops waiting when aborted', async () => {
    const s = spec({ cmd: 'trap "" TERM; echo ready; while :; do sleep 0.05; done' });
    const { pid, start } = launch(s);
    await waitFor(() => readFileSync(s.stdoutFile, 'utf8').includes('ready'), 5000, 'ready');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 100);
    await expect(killProcessGroup(pid, start, 10_000, controller.signal)).rejects.toThrow('shutting down');
    expect(isProcessGroupAlive(pid)).toBe(true);
  });
});
