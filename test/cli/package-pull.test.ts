/** `package pull` in-process, from file:// assets: progress lines, warnings and refusals. */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import { Buffer_, runCli, tempHome, type TempHome } from '../helpers/index.js';

describe('dcos package pull', () => {
  let home: TempHome;
  let src = '';
  const dcos = (argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });
  const revision = (name: string, uris: Record<string, string>) => {
    const dir = join(home.dir, 'repo', 'packages', name[0].toUpperCase(), name, '0');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ packagingVersion: '4.0', name, version: '1.0.0', maintainer: 't@example.com', description: 'pull test', tags: [] }));
    writeFileSync(join(dir, 'resource.json'), JSON.stringify({ assets: { uris } }));
  };
  beforeEach(() => {
    home = tempHome();
    src = join(home.dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'a.bin'), 'a'.repeat(3000));
    writeFileSync(join(src, 'b.bin'), 'bbb');
    const sha256 = createHash('sha256').update('a'.repeat(3000)).digest('hex');
    revision('twofiles', { a: `file://${src}/a.bin#sha256=${sha256}`, b: `${src}/b.bin` });
    revision('clash', { a: `file://${src}/a.bin`, other: `file://${home.dir}/a.bin` });
    revision('gone', { a: `file://${src}/missing.bin` });
    mkdirSync(home.env.DCOS_DIR, { recursive: true });
    writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 't', uri: join(home.dir, 'repo') }] }));
  });
  afterEach(() => home.cleanup());

  it('on a terminal, shows a progress line per asset; otherwise a plain line per asset when done', async () => {
    const stdout = new Buffer_();
    const stderr = new Buffer_();
    stderr.isTTY = true;
    const code = await run(['package', 'pull', 'twofiles', '--to', 'out'], { stdout, stderr, stdin: new PassThrough() as unknown as NodeJS.ReadStream, env: { ...home.env, TERM: 'xterm' }, cwd: home.dir });
    expect(code, stderr.text).toBe(0);
    expect(stderr.text).toContain('\r\x1b[K[1/2] a.bin pulled 2.9 KiB, sha256 verified\n');
    expect(stderr.text).toContain('\r\x1b[K[2/2] b.bin pulled 3 B, not verified\n');
    const plain = await dcos(['package', 'pull', 'twofiles', '--to', 'out']);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('\r');
    expect(plain.stderr).toMatch(/^\[1\/2\] a\.bin already there, checksum matches$/m);
    expect(plain.stdout).toMatch(/a\.bin\s+present\s+3000\s+sha256:/);
  });

  it('warns about an asset without a checksum and prints its sha512', async () => {
    const r = await dcos(['package', 'pull', 'twofiles', '--to', 'out']);
    const sha512 = createHash('sha512').update('bbb').digest('hex');
    expect(r.stderr).toContain(`Warning: Asset b (${src}/b.bin) names no checksum`);
    expect(r.stderr).toContain(`its sha512 is ${sha512}`);
    expect(r.stdout).toContain(`sha512:${sha512} (unverified)`);
  });

  it('needs --to, refuses two assets with one file name, and reports a source that is not there', async () => {
    const noTo = await dcos(['package', 'pull', 'twofiles']);
    expect(noTo.exitCode).toBe(2);
    expect(noTo.stderr).toContain('--to <dir> is required');
    const clash = await dcos(['package', 'pull', 'clash', '--to', 'out']);
    expect(clash.exitCode).toBe(1);
    expect(clash.stderr).toContain('have the same file name a.bin');
    const gone = await dcos(['package', 'pull', 'gone', '--to', 'out2']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain(`Failed to pull file://${src}/missing.bin: no such file`);
    expect(readdirSync(join(home.dir, 'out2'))).toEqual([]);
  });
});
