import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findProcessesWithEnv,
  isProcessGroupAlive,
  isSameProcess,
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
    // The backgrounded subshell exits at once; its parent execs into sleep and never reaps it.
    const child = spawn('/bin/sh', ['-c', 'true & echo $!; exec sleep 30'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    groups.track(child.pid!);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const zombie = Number(await waitFor(() => out.trim(), 5000, 'zombie pid'));
    await waitFor(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(')').pop()!.trim().startsWith('Z'), 5000, 'zombie');
    expect(existsSync(`/proc/${zombie}`)).toBe(true);
    expect(readProcessStart(zombie)).toBeNull();
    expect(liveGroupMembers(child.pid!)).toEqual([child.pid]);
  });
});

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
