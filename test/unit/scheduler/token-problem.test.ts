/** What `dcos` says about a local cluster's token it cannot read, and whether the way out it gives works. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenError, tokenProblem } from '../../../src/scheduler/local-daemon.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dcos-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RESTART = '"dcos cluster down" stops the daemon (its tasks keep running), then "dcos cluster up" starts it again and re-adopts them.';

describe('tokenProblem', () => {
  it('tells a missing, an empty and an unreadable token file apart', () => {
    const file = join(dir, 'token');
    expect(tokenProblem(dir)).toEqual({ message: `${file} is missing`, kind: 'missing' });
    writeFileSync(file, '\n');
    expect(tokenProblem(dir)).toEqual({ message: `${file} is empty`, kind: 'empty' });
    writeFileSync(file, 'abc\n');
    expect(tokenProblem(dir)).toBeUndefined();
    rmSync(file);
    mkdirSync(file);
    expect(tokenProblem(dir)).toMatchObject({ message: `${file} cannot be read (EISDIR)`, kind: 'unreadable', code: 'EISDIR' });
  });
});

describe('tokenError', () => {
  const file = () => join(dir, 'token');

  it('sends a missing or empty token to a restart, which writes a new one', () => {
    for (const kind of ['missing', 'empty'] as const) {
      const err = tokenError('local', dir, { message: `${file()} is ${kind}`, kind }, 1000);
      expect(err.message).toBe(`Cluster [local] is running, but its token cannot be read: ${file()} is ${kind}`);
      expect(err.hint).toBe(`Restart its daemon, which then writes a new token: ${RESTART}`);
    }
  });

  it('names the cluster in the commands', () => {
    expect(tokenError('dev', dir, { message: 'm', kind: 'empty' }, 1000).hint).toContain('"dcos cluster down --name dev" stops the daemon');
  });

  it('for a file of ours that we may not read: chmod, or a restart', () => {
    const err = tokenError('local', dir, { message: 'm', kind: 'unreadable', code: 'EACCES', ownerUid: 1000 }, 1000);
    expect(err.hint).toBe(`Make it readable again ("chmod 600 ${file()}"), or restart its daemon, which then writes a new token: ${RESTART}`);
  });

  it("for another user's file: that user, not a restart (which would not help)", () => {
    const err = tokenError('local', dir, { message: 'm', kind: 'unreadable', code: 'EACCES', ownerUid: 0 }, 1000);
    expect(err.hint).toBe('The cluster belongs to uid 0, not to you (uid 1000): run dcos as the user that started it (its daemon runs as that user, so a restart by you cannot help).');
    const closed = tokenError('local', dir, { message: 'm', kind: 'unreadable', code: 'EACCES' }, 1000);
    expect(closed.hint).toMatch(/^The cluster belongs to another user \(its data dir is closed to you\), not to you \(uid 1000\)/);
    expect(closed.hint).not.toContain('writes a new token');
  });

  it('for something else in its place: remove it, then restart', () => {
    const err = tokenError('local', dir, { message: 'm', kind: 'unreadable', code: 'EISDIR', ownerUid: 1000 }, 1000);
    expect(err.hint).toBe(`Remove ${file()} and restart its daemon, which then writes a new token: ${RESTART}`);
  });
});
