import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureHome, runCli, type TempHome } from '../helpers/index.js';
import { VERSION } from '../../src/core/version.js';

describe('the command line as a whole', () => {
  let home: TempHome;
  const dcos = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { env: { ...home.env, ...env } });
  beforeEach(() => {
    home = fixtureHome();
  });
  afterEach(() => home.cleanup());

  it('prints the version', async () => {
    const r = await dcos(['--version']);
    expect(r).toEqual({ exitCode: 0, stdout: `dcos ${VERSION}\n`, stderr: '' });
  });

  it('takes --json before the command as well as after it, with notes as JSON lines on stderr', async () => {
    const before = await dcos(['--json', 'package', 'search', 'alpha']);
    expect(before.exitCode, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout).packages.map((p: { name: string }) => p.name)).toEqual(['alpha']);
    const none = await dcos(['--json', '-v', 'package', 'search', 'nothing-like-this']);
    expect(none.exitCode).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ packages: [] });
    const kinds = none.stderr.split('\n').filter(Boolean).map((line) => Object.keys(JSON.parse(line))[0]);
    for (const kind of kinds) expect(['info', 'warning']).toContain(kind);
  });

  it('prints help for dcos, a group and a command, on stdout with exit 0', async () => {
    const root = await dcos([]);
    expect(root.exitCode).toBe(0);
    expect(root.stdout).toContain('Usage: dcos [options] [command]');
    const group = await dcos(['package']);
    expect(group.stdout).toContain('Usage: dcos package [options] [command]');
    expect(group.stdout).toMatch(/search \[options\] \[query\]/);
    const cmd = await dcos(['package', 'describe', '--help']);
    expect(cmd.exitCode).toBe(0);
    expect(cmd.stdout).toContain('--package-version <version>');
    expect(cmd.stdout).toContain('Examples:');
  });

  it('treats unknown commands, unknown flags and missing arguments as usage errors (exit 2)', async () => {
    const cmd = await dcos(['pakage', 'search']);
    expect(cmd.exitCode).toBe(2);
    expect(cmd.stderr).toContain('Error: Unknown command "pakage"');
    expect(cmd.stderr).toContain('Did you mean "package"?');
    const sub = await dcos(['package', 'serch']);
    expect(sub.exitCode).toBe(2);
    expect(sub.stderr).toContain('Did you mean "search"?');
    const flag = await dcos(['package', 'search', '--jsn']);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain("Error: Unknown option '--jsn'");
    expect(flag.stderr).toContain('--json');
    const arg = await dcos(['package', 'describe']);
    expect(arg.exitCode).toBe(2);
    expect(arg.stderr).toContain("Error: Missing required argument 'name'");
    const extra = await dcos(['config', 'unset', 'a.b', 'c.d']);
    expect(extra.exitCode).toBe(2);
    const color = await dcos(['--color', 'pink', 'package', 'search']);
    expect(color.exitCode).toBe(2);
    for (const r of [cmd, sub, flag, arg, extra, color]) expect(r.stdout).toBe('');
  });

  it('hints the help of the command that refused the line, not of dcos as a whole', async () => {
    const arg = await dcos(['package', 'describe']);
    expect(arg.stderr).toContain('Run "dcos package describe --help" for usage.');
    const flag = await dcos(['package', 'install', 'x', '--nope']);
    expect(flag.stderr).toContain('Run "dcos package install --help" for usage.');
    const root = await dcos(['--nope']);
    expect(root.stderr).toContain('Run "dcos --help" for usage.');
  });

  it('says an unknown word after a group with a default command is an unknown command, with a suggestion', async () => {
    const show = await dcos(['node', 'show']);
    expect(show.exitCode).toBe(2);
    expect(show.stderr).toContain("Error: Unknown command 'show' for 'dcos node'");
    expect(show.stderr).not.toContain('Too many arguments');
    const exec = await dcos(['task', 'exec', 'x', 'ls']);
    expect(exec.exitCode).toBe(2);
    expect(exec.stderr).toContain("Error: Unknown command 'exec' for 'dcos task'");
    const log = await dcos(['node', 'log']);
    expect(log.stderr).toContain("Error: Unknown command 'log' for 'dcos node'");
    const typo = await dcos(['service', 'shw']);
    expect(typo.stderr).toContain("Unknown command 'shw' for 'dcos service'");
    expect(typo.stderr).toContain('Did you mean "show"?');
    // Named explicitly, the command itself refuses extra arguments.
    const explicit = await dcos(['task', 'list', 'a', 'b']);
    expect(explicit.exitCode).toBe(2);
    expect(explicit.stderr).toContain("Too many arguments for 'list'. Expected 1 argument but got 2.");
    for (const r of [show, exec, log, typo, explicit]) expect(r.stdout).toBe('');
  });

  it('shows a usage error as one JSON object on stderr with --json', async () => {
    const r = await dcos(['package', 'search', '--json', '--bogus']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'EUSAGE', message: "Unknown option '--bogus'", hint: expect.any(String) } });
  });

  it('colours only when asked: never by default off a terminal, always with --color always, never with NO_COLOR', async () => {
    const plain = await dcos(['package', 'describe', 'nope']);
    expect(plain.stderr).not.toContain('\u001b[');
    const forced = await dcos(['--color', 'always', 'package', 'describe', 'nope']);
    expect(forced.stderr).toContain('\u001b[31mError:\u001b[39m');
    const noColor = await dcos(['--color', 'always', 'package', 'describe', 'nope'], { NO_COLOR: '1' });
    expect(noColor.stderr).not.toContain('\u001b[');
    const env = await dcos(['package', 'describe', 'nope'], { FORCE_COLOR: '1' });
    expect(env.stderr).toContain('\u001b[31m');
  });

  it('shows error details and causes only with -v', async () => {
    const quiet = await dcos(['config', 'set', 'core.timeout', '1', '--', 'extra']);
    expect(quiet.exitCode).toBe(2);
    const r = await dcos(['-v', 'package', 'repo', 'add', 'x', 'ftp://host/x']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unsupported scheme');
  });
});
