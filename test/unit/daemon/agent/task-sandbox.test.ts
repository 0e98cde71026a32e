/** Handing a sandbox over to a task's user: everything in it, links included, never through a link. */
import { lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chownSandbox } from '../../../../src/daemon/agent/task-sandbox.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dcos-chown-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe.runIf(isRoot)('chownSandbox', () => {
  it('gives every entry to the user, symlinks themselves, and follows no link out', async () => {
    const outside = join(root, 'outside');
    mkdirSync(join(outside, 'sub'), { recursive: true });
    writeFileSync(join(outside, 'secret'), 'x');
    const sandbox = join(root, 'sandbox');
    mkdirSync(join(sandbox, 'tree', 'deep', 'deeper'), { recursive: true });
    writeFileSync(join(sandbox, 'stdout'), '');
    writeFileSync(join(sandbox, 'tree', 'deep', 'deeper', 'file'), 'data');
    symlinkSync('deep', join(sandbox, 'tree', 'inside-link'));
    symlinkSync(outside, join(sandbox, 'tree', 'dir-out'));
    symlinkSync(join(outside, 'secret'), join(sandbox, 'file-out'));
    symlinkSync('nowhere', join(sandbox, 'dangling'));

    await chownSandbox(sandbox, NOBODY, NOBODY);

    for (const rel of ['', 'stdout', 'tree', 'tree/deep', 'tree/deep/deeper', 'tree/deep/deeper/file', 'tree/inside-link', 'tree/dir-out', 'file-out', 'dangling']) {
      const st = lstatSync(join(sandbox, rel));
      expect([rel, st.uid, st.gid]).toEqual([rel, NOBODY, NOBODY]);
    }
    for (const rel of ['', 'secret', 'sub']) expect([rel, statSync(join(outside, rel)).uid]).toEqual([rel, 0]);
  });

  it('refuses a sandbox that is itself a symlink', async () => {
    const real = join(root, 'real');
    mkdirSync(real);
    symlinkSync(real, join(root, 'sandbox'));
    await expect(chownSandbox(join(root, 'sandbox'), NOBODY, NOBODY)).rejects.toThrow(/ELOOP|ENOTDIR/);
    expect(statSync(real).uid).toBe(0);
  });
});
