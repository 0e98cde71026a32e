import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdirSync, openSync, realpathSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  browse,
  isWithin,
  MAX_READ_LENGTH,
  modeString,
  NotRegularFileError,
  openConfined,
  OutsideSandboxError,
  readFileRange,
  resolveInside,
  sandboxPath,
} from '../../../../src/daemon/agent/sandbox.js';
import { tempDirs } from './agent-helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('sandboxPath', () => {
  it('follows the Mesos agent layout', () => {
    expect(sandboxPath('/var/lib/dcos', 'agent-S0', 'fw-1', 'web.abc', 'c-1')).toBe(
      '/var/lib/dcos/slaves/agent-S0/frameworks/fw-1/executors/web.abc/runs/c-1',
    );
  });

  it.each(['..', '', 'a/b', '.'])('refuses the component %j', (bad) => {
    expect(() => sandboxPath('/d', 'a', 'f', bad, 'c')).toThrow('Invalid sandbox path component');
  });
});

describe('resolveInside', () => {
  function layout() {
    const base = realpathSync(dirs.make());
    const root = path.join(base, 'sandboxes');
    mkdirSync(path.join(root, 'task', 'logs'), { recursive: true });
    writeFileSync(path.join(root, 'task', 'stdout'), 'hello');
    writeFileSync(path.join(base, 'secret'), 'nope');
    return { base, root };
  }

  it('resolves relative and absolute paths inside the root', () => {
    const { root } = layout();
    expect(resolveInside(root, 'task/stdout')).toBe(path.join(root, 'task', 'stdout'));
    expect(resolveInside(root, path.join(root, 'task', 'stdout'))).toBe(path.join(root, 'task', 'stdout'));
    expect(resolveInside(root, 'task/logs/../stdout')).toBe(path.join(root, 'task', 'stdout'));
    expect(resolveInside(root, '.')).toBe(root);
  });

  it('refuses .., absolute paths elsewhere and missing files', () => {
    const { base, root } = layout();
    expect(resolveInside(root, '../secret')).toBeNull();
    expect(resolveInside(root, 'task/../../secret')).toBeNull();
    expect(resolveInside(root, path.join(base, 'secret'))).toBeNull();
    expect(resolveInside(root, '/etc/passwd')).toBeNull();
    expect(resolveInside(root, 'task/missing')).toBeNull();
    expect(resolveInside(root, 'task/stdout\0x')).toBeNull();
  });

  it('follows symlinks and refuses those pointing out', () => {
    const { base, root } = layout();
    symlinkSync(path.join(base, 'secret'), path.join(root, 'task', 'leak'));
    symlinkSync('/etc', path.join(root, 'task', 'etc'));
    symlinkSync('stdout', path.join(root, 'task', 'alias'));
    expect(resolveInside(root, 'task/leak')).toBeNull();
    expect(resolveInside(root, 'task/etc/passwd')).toBeNull();
    expect(resolveInside(root, 'task/alias')).toBe(path.join(root, 'task', 'stdout'));
  });

  it('accepts a root reached through a symlink', () => {
    const { base, root } = layout();
    symlinkSync(root, path.join(base, 'link-to-root'));
    expect(resolveInside(path.join(base, 'link-to-root'), 'task/stdout')).toBe(path.join(root, 'task', 'stdout'));
  });

  it('isWithin does not mistake a sibling with a common prefix, or "..x" names', () => {
    expect(isWithin('/a/b', '/a/bc')).toBe(false);
    expect(isWithin('/a/b', '/a/b/..x')).toBe(true);
    expect(isWithin('/a/b', '/a')).toBe(false);
  });
});

describe('readFileRange', () => {
  function bigFile(): { file: string; content: string } {
    const content = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const file = path.join(dirs.make(), 'stdout');
    writeFileSync(file, content);
    return { file, content };
  }

  it('offset -1 gives the size and no data', async () => {
    const { file } = bigFile();
    expect(await readFileRange(file, -1)).toEqual({ data: '', offset: 100_000 });
    expect(await readFileRange(file, -1, 10)).toEqual({ data: '', offset: 100_000 });
  });

  it('an offset at or past the end gives no data and echoes the offset', async () => {
    const { file } = bigFile();
    expect(await readFileRange(file, 100_000)).toEqual({ data: '', offset: 100_000 });
    expect(await readFileRange(file, 250_000, 10)).toEqual({ data: '', offset: 250_000 });
  });

  it('reads a range, and to EOF capped at 64 KiB', async () => {
    const { file, content } = bigFile();
    expect(await readFileRange(file, 3, 5)).toEqual({ data: content.slice(3, 8), offset: 3 });
    expect(await readFileRange(file, 99_998, 100)).toEqual({ data: content.slice(99_998), offset: 99_998 });
    expect(await readFileRange(file, 10, 0)).toEqual({ data: '', offset: 10 });
    const toEof = await readFileRange(file, 0);
    expect(toEof.data).toHaveLength(MAX_READ_LENGTH);
    expect(toEof.data).toBe(content.slice(0, MAX_READ_LENGTH));
    expect((await readFileRange(file, 90_000, -1)).data).toBe(content.slice(90_000));
    expect((await readFileRange(file, 0, 200_000)).data).toHaveLength(MAX_READ_LENGTH);
  });

  it('rejects bad numbers and missing files', async () => {
    const { file } = bigFile();
    await expect(readFileRange(file, -2)).rejects.toThrow(RangeError);
    await expect(readFileRange(file, 0, -5)).rejects.toThrow(RangeError);
    await expect(readFileRange(`${file}.missing`, 0)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('browse', () => {
  it('lists entries with Mesos fields', async () => {
    const dir = realpathSync(dirs.make());
    writeFileSync(path.join(dir, 'stdout'), 'hello');
    chmodSync(path.join(dir, 'stdout'), 0o644);
    mkdirSync(path.join(dir, 'conf'));
    chmodSync(path.join(dir, 'conf'), 0o750);
    utimesSync(path.join(dir, 'stdout'), 1_700_000_000, 1_700_000_000);
    const entries = await browse(dir);
    expect(entries.map((e) => e.path)).toEqual([path.join(dir, 'conf'), path.join(dir, 'stdout')]);
    const stdout = entries[1];
    expect(stdout).toMatchObject({ size: 5, nlink: 1, mtime: 1_700_000_000, mode: '-rw-r--r--' });
    expect(typeof stdout.uid).toBe('string');
    expect(typeof stdout.gid).toBe('string');
    expect(entries[0].mode).toBe('drwxr-x---');
  });

  it('modeString renders special bits like ls', () => {
    expect(modeString(0o100755)).toBe('-rwxr-xr-x');
    expect(modeString(0o104755)).toBe('-rwsr-xr-x');
    expect(modeString(0o041777)).toBe('drwxrwxrwt');
    expect(modeString(0o120777)).toBe('lrwxrwxrwx');
    expect(modeString(0o102644)).toBe('-rw-r-Sr--');
  });
});

/** Whether some process holds `fifo` open for reading: a non-blocking open for writing fails with ENXIO when none does. */
function fifoHasReader(fifo: string): boolean {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return false;
    throw err;
  }
}

describe('openConfined', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('opens a regular file for reading and a directory for listing, both inside', async () => {
    const dir = realpathSync(dirs.make());
    writeFileSync(path.join(dir, 'stdout'), 'hello');
    const file = await openConfined(path.join(dir, 'stdout'), (real) => isWithin(dir, real));
    try {
      expect(file.real).toBe(path.join(dir, 'stdout'));
      expect((await readFileRange(file.handle, 0)).data).toBe('hello');
    } finally {
      await file.handle.close();
    }
    const listed = await openConfined(dir, (real) => isWithin(dir, real));
    try {
      expect(listed.stats.isDirectory()).toBe(true);
      expect((await browse(dir, listed.handle)).map((e) => e.path)).toEqual([path.join(dir, 'stdout')]);
    } finally {
      await listed.handle.close();
    }
  });

  it('refuses a socket, saying so, where an open fails with ENXIO', async () => {
    const dir = realpathSync(dirs.make());
    const sock = path.join(dir, 'sock');
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(sock, resolve));
    const refused = await openConfined(sock, (real) => isWithin(dir, real)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(NotRegularFileError);
    expect(refused).toMatchObject({ kind: 'socket' });
  });

  it.runIf(process.platform === 'linux')('never opens what a directory swapped for a symlink leads to (a FIFO standing in for a device)', async () => {
    const sandbox = realpathSync(dirs.make());
    const outside = realpathSync(dirs.make());
    // A device that acts on open (a watchdog), played by a FIFO: its writer learns of every open.
    const watchdog = path.join(outside, 'watchdog');
    execFileSync('mkfifo', [watchdog]);
    // The caller checked `dev/watchdog` while `dev` was a real directory; the task swapped it since.
    symlinkSync(outside, path.join(sandbox, 'dev'));
    const opensSeen: boolean[] = [];
    const refused = await openConfined(path.join(sandbox, 'dev', 'watchdog'), (real) => {
      // Asked while the daemon holds what it got: an open FIFO would have a reader now.
      opensSeen.push(fifoHasReader(watchdog));
      return isWithin(sandbox, real);
    }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(OutsideSandboxError);
    expect(opensSeen).toEqual([false]);

    // Inside the sandbox, the same: judged by its type, refused, never opened.
    const inside = path.join(sandbox, 'pipe');
    execFileSync('mkfifo', [inside]);
    const seen: boolean[] = [];
    const notRead = await openConfined(inside, (real) => {
      seen.push(fifoHasReader(inside));
      return isWithin(sandbox, real);
    }).catch((err: unknown) => err);
    expect(notRead).toBeInstanceOf(NotRegularFileError);
    expect(notRead).toMatchObject({ kind: 'FIFO' });
    expect(seen).toEqual([false]);
  });

  it('refuses a final symlink, even to a file inside', async () => {
    const dir = realpathSync(dirs.make());
    writeFileSync(path.join(dir, 'stdout'), 'hello');
    symlinkSync(path.join(dir, 'stdout'), path.join(dir, 'link'));
    const refused = await openConfined(path.join(dir, 'link'), (real) => isWithin(dir, real)).catch((err: unknown) => err);
    // Linux refers to the link itself and says what it is; elsewhere O_NOFOLLOW fails with ELOOP.
    if (process.platform === 'linux') expect(refused).toMatchObject({ kind: 'symbolic link' });
    else expect(refused).toMatchObject({ code: 'ELOOP' });
  });
});
