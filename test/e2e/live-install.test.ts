/** `dcos package install` in a real terminal (a pty) shows the live view; piped, plain lines. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempHome, type TempHome } from '../helpers/index.js';

const BIN = join(REPO_ROOT, 'bin', 'dcos.js');
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
// Runs argv[2:] under a pseudo-terminal of the size argv[1] ("100x30", or "0x0" as some CI runners
// give) and copies everything it writes to our stdout. The size is set before the program starts.
const PTY_RUNNER = `
import os, sys, struct, fcntl, termios
cols, rows = (int(n) for n in sys.argv[1].split('x'))
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
pid = os.fork()
if pid == 0:
    os.close(master)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.execvp(sys.argv[2], sys.argv[2:])
os.close(slave)
out = b''
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.WEXITSTATUS(status))
`;

describe('the install progress as a user sees it', () => {
  let home: TempHome;
  let runner = '';
  const dcos = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, ...args], { env: { ...home.env, ...env }, encoding: 'utf8', cwd: home.dir });

  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'daemon', 'main.js'))) throw new Error('dist/ is missing: run "npm run build" first');
    home = tempHome({ TERM: 'xterm-256color' });
    mkdirSync(home.env.DCOS_DIR, { recursive: true });
    writeFileSync(
      join(home.env.DCOS_DIR, 'repositories.json'),
      JSON.stringify({ repositories: [{ name: 'bundled', uri: 'bundled' }, { name: 'failing', uri: join(REPO_ROOT, 'test', 'fixtures', 'repos', 'failing') }] }),
    );
    runner = join(home.dir, 'pty-runner.py');
    writeFileSync(runner, PTY_RUNNER);
    const up = dcos(['cluster', 'up']);
    expect(up.status, up.stderr).toBe(0);
  });
  afterAll(() => {
    dcos(['cluster', 'down']);
    home.cleanup();
  });

  const inPty = (args: string[], size = '100x30') =>
    spawnSync('python3', [runner, size, process.execPath, BIN, ...args], { env: home.env, encoding: 'utf8', cwd: home.dir });

  it('draws a live view in a terminal: title, counts, each task with its health', () => {
    const r = inPty(['package', 'install', 'hello-world', '--yes']);
    expect(r.status, r.stdout).toBe(0);
    const out = stripAnsi(r.stdout);
    expect(out).toMatch(/Installing hello-world 1\.2\.0 as \/hello-world \(\d+s\)/);
    expect(out).toMatch(/^ {2}1\/1 running, 1\/1 healthy\r?$/m);
    expect(out).toMatch(/^ {2}hello-world\.[0-9a-f]{8} {2}running {2}127\.0\.0\.1:\d+ {2}healthy\r?$/m);
    expect(out).not.toMatch(/^\d\d:\d\d:\d\d /m);
    expect(dcos(['package', 'uninstall', 'hello-world', '--yes']).status).toBe(0);
  });

  it('redraws the live view in place while a deployment waits (cursor movement, elapsed time)', () => {
    const r = inPty(['package', 'install', 'stuck', '--yes', '--timeout', '3s']);
    expect(r.status).toBe(4);
    // ink rewrites the frame: cursor up and line erase between frames, the elapsed time ticking.
    expect(r.stdout).toMatch(/\u001b\[\d*A/);
    expect(r.stdout).toMatch(/\u001b\[2K/);
    const out = stripAnsi(r.stdout);
    expect(out).toMatch(/Installing stuck 1\.0\.0 as \/stuck \(2s\)/);
    expect(out).toMatch(/unhealthy: command exited with 1: not ready yet/);
    expect(out).toContain('Error: Timed out after 3s waiting for /stuck');
    expect(dcos(['package', 'uninstall', 'stuck', '--yes']).status).toBe(0);
  });

  it('prints plain lines on a terminal that has no size (0x0), never clearing the screen', () => {
    const r = inPty(['package', 'install', 'hello-world', '--yes'], '0x0');
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d 1\/1 running, 1\/1 healthy\r?$/m);
    // No screen or scrollback clearing, no cursor movement: nothing of ink.
    expect(r.stdout).not.toMatch(/\u001b\[[23]J/);
    expect(r.stdout).not.toMatch(/\u001b\[\d*A/);
    expect(dcos(['package', 'uninstall', 'hello-world', '--yes']).status).toBe(0);
  });

  it('prints plain timestamped lines when piped, with no escape codes', () => {
    const r = dcos(['package', 'install', 'hello-world', '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\d\d:\d\d:\d\d 1\/1 running, 1\/1 healthy$/m);
    expect(r.stderr).not.toContain('\u001b[');
    expect(r.stdout).toBe('');
    expect(dcos(['package', 'uninstall', 'hello-world', '--yes']).status).toBe(0);
  });
});
