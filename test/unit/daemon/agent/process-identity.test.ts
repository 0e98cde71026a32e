import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findProcessesWithEnv,
  isProcessGroupAlive,
  isSameProcess,
  liveGroupMembers,
  readProcessStart,
} from '../../../../src/daemon/agent/process-identity.js';
import { parseProcStat, readProcStat } from '../../../../src/core/process-start.js';
import { processGroups, tempDirs, waitFor } from './agent-helpers.js';

const linux = process.platform === 'linux';
const groups = processGroups();
const dirs = tempDirs();

afterEach(() => {
  groups.killAll();
  dirs.cleanup();
});

/** A detached (own group) child with a unique marker in its environment. */
function startSleeper(extraEnv: Record<string, string> = {}, file = 'sleep', args = ['30']) {
  const child = spawn(file, args, { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', ...extraEnv } });
  if (child.pid === undefined) throw new Error('spawn failed');
  groups.track(child.pid);
  return { child, pid: child.pid };
}

const NO_SUCH_PID = 4_194_303; // pid_max ceiling on 64-bit Linux; never a live pid in a test

describe('readProcessStart / isSameProcess', () => {
  it('gives a stable marker for a live process and null for a missing one', () => {
    const start = readProcessStart(process.pid);
    expect(start).not.toBeNull();
    expect(readProcessStart(process.pid)).toBe(start);
    expect(readProcessStart(NO_SUCH_PID)).toBeNull();
    expect(readProcessStart(0)).toBeNull();
  });

  it('tells a recycled pid apart by its start time', () => {
    const { pid } = startSleeper();
    const start = readProcessStart(pid);
    expect(start).not.toBeNull();
    expect(isSameProcess(pid, start!)).toBe(true);
    expect(isSameProcess(pid, 'wrong-start')).toBe(false);
    expect(isSameProcess(NO_SUCH_PID, start!)).toBe(false);
  });

  it.runIf(linux)('parses a command name holding spaces and parentheses', async () => {
    const dir = dirs.make();
    const odd = path.join(dir, 'a) b (c) d');
    copyFileSync('/bin/sleep', odd);
    const { pid } = startSleeper({}, odd);
    await waitFor(() => readFileSync(`/proc/${pid}/stat`, 'utf8').includes('(a) b (c) d)'), 5000, 'exec');
    const start = Number(readProcessStart(pid));
    // starttime is in clock ticks since boot (USER_HZ = 100): it must be about "now".
    const uptimeTicks = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100;
    expect(Number.isInteger(start)).toBe(true);
    expect(Math.abs(uptimeTicks - start)).toBeLessThan(1000);
  });

  it.runIf(linux)('treats a zombie as gone', async () => {
    // A zombie that nobody reaps, made without racing anything: the background job blocks on fd 3
    // until its parent shell has exec'd into sleep (which never waits); only then is it released.
    const child = spawn('/bin/sh', ['-c', '{ read _ <&3; } & echo $!; exec sleep 30'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore', 'pipe'],
    });
    groups.track(child.pid!);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const zombie = Number(await waitFor(() => out.trim(), 5000, 'the background pid'));
    await waitFor(() => procComm(child.pid!) === 'sleep', 5000, 'the shell to exec sleep');
    expect(readProcessStart(zombie)).not.toBeNull();
    (child.stdio[3] as Writable).end('go\n');
    await waitFor(() => procState(zombie) === 'Z', 5000, 'the background job to exit');
    expect(existsSync(`/proc/${zombie}`)).toBe(true);
    expect(readProcessStart(zombie)).toBeNull();
    expect(isSameProcess(zombie, 'any')).toBe(false);
    expect(liveGroupMembers(child.pid!)).toEqual([child.pid]);
  });

  it('treats a pid whose /proc entry is gone, or unreadable, as gone', () => {
    expect(readProcStat(NO_SUCH_PID)).toBeNull();
    expect(readProcStat('self/../no-such-entry')).toBeNull();
    expect(parseProcStat('')).toBeNull();
    // Cut short (the process died while its stat was read): no start time, no answer.
    expect(parseProcStat('123 (sleep) S 1 123 123 0 -1')).toBeNull();
    const full = readFileSync('/proc/self/stat', 'utf8');
    expect(parseProcStat(full)?.start).toBe(readProcessStart(process.pid));
  });
});

/** comm and state of a process, or null once its /proc entry is gone (no throw: it may vanish). */
function procComm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function procState(pid: number): string | null {
  return readProcStat(pid)?.state ?? null;
}

describe('isProcessGroupAlive', () => {
  it('follows the life of a process group', async () => {
    const { pid, child } = startSleeper();
    expect(isProcessGroupAlive(pid)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-pid, 'SIGKILL');
    await exited;
    expect(isProcessGroupAlive(pid)).toBe(false);
    expect(isProcessGroupAlive(NO_SUCH_PID)).toBe(false);
  });
});

describe('findProcessesWithEnv', () => {
  it.runIf(linux)('finds a process by an exact environment entry', () => {
    const marker = `m-${process.pid}-${Date.now()}`;
    const { pid } = startSleeper({ DCOS_TEST_TASK: marker });
    const other = startSleeper({ DCOS_TEST_TASK: `${marker}-other` });
    expect(findProcessesWithEnv('DCOS_TEST_TASK', marker)).toEqual([pid]);
    expect(findProcessesWithEnv('DCOS_TEST_TASK', `${marker}-other`)).toEqual([other.pid]);
    expect(findProcessesWithEnv('DCOS_TEST_TASK', marker.slice(0, -1))).toEqual([]);
  });
});
