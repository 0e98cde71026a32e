import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CRASH_EXIT_CODE } from '../../../src/core/daemon-exit.js';
import { installCrashHandlers } from '../../../src/daemon/crash-handlers.js';

describe('installCrashHandlers', () => {
  it.each([
    ['uncaughtException', /^uncaught exception, the cluster daemon stops .*Error: boom/s],
    ['unhandledRejection', /^unhandled promise rejection, the cluster daemon stops .*Error: boom/s],
  ])('logs %s with its stack, then exits non-zero', (event, logged) => {
    const proc = new EventEmitter();
    const lines: string[] = [];
    const exits: number[] = [];
    installCrashHandlers(proc as unknown as NodeJS.Process, (m) => lines.push(m), (code) => exits.push(code));
    proc.emit(event, new Error('boom'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(logged);
    expect(lines[0]).toContain('crash-handlers.test.ts');
    expect(exits).toEqual([CRASH_EXIT_CODE]);
    expect(CRASH_EXIT_CODE).not.toBe(0);
  });

  it('exits even when the log cannot be written', () => {
    const proc = new EventEmitter();
    const exits: number[] = [];
    installCrashHandlers(proc as unknown as NodeJS.Process, () => {
      throw new Error('EPIPE');
    }, (code) => exits.push(code));
    expect(() => proc.emit('uncaughtException', 'not an error')).toThrow('EPIPE');
    expect(exits).toEqual([CRASH_EXIT_CODE]);
  });
});
