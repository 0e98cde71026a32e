import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstClosedAncestor, openPathToSandbox } from '../../../../src/daemon/agent/task-sandbox.js';
import { asUser, clearUserCache, lookupUser, lookupUserAsync, resolveTaskUser, resolveTaskUserAsync, userEnvironment } from '../../../../src/daemon/agent/task-user.js';
import { tempDirs } from './agent-helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const hasNobody = process.platform === 'linux' && readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith('nobody:'));
const NO_SUCH_USER = 'dcos-no-such-user-x';

describe('lookupUser', () => {
  it.runIf(hasNobody)('reads uid, gid, groups and home of a user', () => {
    const nobody = lookupUser('nobody');
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    expect(nobody).toMatchObject({ name: 'nobody', uid });
    expect(nobody?.groups).toEqual(execFileSync('id', ['-G', 'nobody'], { encoding: 'utf8' }).trim().split(' ').map(Number));
    expect(nobody?.home).toBe(readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))?.split(':')[5]);
  });

  it('knows no user that is not there, nor odd names', () => {
    expect(lookupUser(NO_SUCH_USER)).toBeNull();
    expect(lookupUser('-rf')).toBeNull();
    expect(lookupUser('a:b')).toBeNull();
    expect(lookupUser('')).toBeNull();
  });
});

describe('lookupUserAsync', () => {
  it.runIf(hasNobody)('answers as lookupUser does, without blocking', async () => {
    clearUserCache();
    const [a, b] = await Promise.all([lookupUserAsync('nobody'), lookupUserAsync('nobody')]);
    expect(a).toEqual(b);
    clearUserCache();
    expect(a).toEqual(lookupUser('nobody'));
    clearUserCache();
    expect(await lookupUserAsync(NO_SUCH_USER)).toBeNull();
    expect(await lookupUserAsync('a:b')).toBeNull();
    expect(await resolveTaskUserAsync(NO_SUCH_USER, { uid: 0, setpriv: '/usr/bin/setpriv' })).toEqual(resolveTaskUser(NO_SUCH_USER, { uid: 0, setpriv: '/usr/bin/setpriv' }));
  });
});

describe('resolveTaskUser', () => {
  it('runs as the daemon when no user is given', () => {
    expect(resolveTaskUser(undefined)).toEqual({ ok: true, user: null, switchTo: false });
    expect(resolveTaskUser('')).toEqual({ ok: true, user: null, switchTo: false });
  });

  it('refuses a user that does not exist on the node', () => {
    expect(resolveTaskUser(NO_SUCH_USER, { uid: 0, setpriv: '/usr/bin/setpriv' })).toEqual({
      ok: false,
      problem: `user "${NO_SUCH_USER}" does not exist on this node`,
    });
  });

  it.runIf(hasNobody)('switches to the user when the daemon is root (with setpriv), and only then', () => {
    const nobody = lookupUser('nobody')!;
    expect(resolveTaskUser('nobody', { uid: 0, setpriv: '/usr/bin/setpriv' })).toEqual({ ok: true, user: nobody, switchTo: true });
    expect(resolveTaskUser('nobody', { uid: 0, setpriv: null })).toEqual({
      ok: false,
      problem: 'running tasks as "nobody" needs setpriv (util-linux) on this node',
    });
    expect(resolveTaskUser('nobody', { uid: 1000 })).toEqual({
      ok: false,
      problem: 'tasks can run as "nobody" only when the cluster daemon runs as root or as "nobody" (it runs as uid 1000)',
    });
    // The daemon's own user needs no switch, root or not.
    expect(resolveTaskUser('nobody', { uid: nobody.uid })).toEqual({ ok: true, user: nobody, switchTo: false });
  });
});

describe('asUser', () => {
  const user = { name: 'svc', uid: 1234, gid: 1234, groups: [1234, 27, 100], home: '/home/svc' };

  it('wraps the command in setpriv with uid, gid and every group of the user', () => {
    expect(asUser(user, '/bin/sh', ['-c', 'echo hi'], '/usr/bin/setpriv')).toEqual([
      '/usr/bin/setpriv',
      ['--reuid=1234', '--regid=1234', '--groups=1234,27,100', '--', '/bin/sh', '-c', 'echo hi'],
    ]);
    expect(userEnvironment(user)).toEqual({ HOME: '/home/svc', USER: 'svc', LOGNAME: 'svc' });
  });
});

describe('the path to a sandbox of another user', () => {
  it('opens only the way down (0711), and makes the data dir\'s own files private first', () => {
    const base = dirs.make();
    const data = path.join(base, 'data');
    const sandbox = path.join(data, 'slaves', 'a1', 'frameworks', 'f1', 'executors', 't1', 'runs', 'c1');
    mkdirSync(sandbox, { recursive: true });
    mkdirSync(path.join(data, 'fetch-cache'));
    writeFileSync(path.join(data, 'state.db'), '');
    chmodSync(path.join(data, 'state.db'), 0o644);
    chmodSync(data, 0o700);
    openPathToSandbox(data, sandbox);
    const mode = (p: string) => statSync(p).mode & 0o7777;
    expect(mode(data)).toBe(0o711);
    for (let dir = path.dirname(sandbox); dir !== data; dir = path.dirname(dir)) expect(mode(dir)).toBe(0o711);
    expect(mode(path.join(data, 'state.db'))).toBe(0o600);
    expect(mode(path.join(data, 'fetch-cache'))).toBe(0o700);
    expect(() => openPathToSandbox(data, base)).toThrow('is not inside');
  });

  it('finds the first directory above that a user cannot pass', () => {
    const base = dirs.make();
    const inner = path.join(base, 'a', 'b');
    mkdirSync(inner, { recursive: true });
    chmodSync(base, 0o711);
    chmodSync(path.join(base, 'a'), 0o700);
    const stranger = { uid: 4_000_000, groups: [4_000_000] };
    expect(firstClosedAncestor(inner, stranger)).toBe(path.join(base, 'a'));
    chmodSync(path.join(base, 'a'), 0o711);
    expect(firstClosedAncestor(inner, stranger)).toBe(null);
    // The owner passes on its own bit.
    const owner = { uid: statSync(base).uid, groups: [] };
    chmodSync(path.join(base, 'a'), 0o700);
    expect(firstClosedAncestor(inner, owner)).toBe(null);
  });
});
