/** A few runs of the built binary, spawned as a user or a CI job would run it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempHome, type TempHome } from '../helpers/index.js';

const BIN = join(REPO_ROOT, 'bin', 'dcos.js');

describe('the built dcos binary', () => {
  let home: TempHome;
  const dcos = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, ...args], { env: { ...home.env, ...env }, encoding: 'utf8', cwd: home.dir });

  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'cli.cjs')) || !existsSync(join(REPO_ROOT, 'dist', 'help.json'))) {
      throw new Error('dist/ is missing: run "npm run build" first (npm test does it)');
    }
    home = tempHome();
  });
  afterAll(() => home?.cleanup());

  it('prints its version and help from the fast path, identical to the full CLI', () => {
    const version = dcos(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^dcos \d+\.\d+\.\d+\n$/);
    const help = dcos(['package', 'search', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: dcos package search [options] [query]');
    // Forcing the full CLI (an extra global flag skips the fast path) gives the same text.
    const full = dcos(['-v', 'package', 'search', '--help']);
    expect(full.stdout).toBe(help.stdout);
  });

  it('searches the bundled repository and renders a package, with plain output in a pipe', () => {
    const search = dcos(['package', 'search', 'hello']);
    expect(search.status).toBe(0);
    expect(search.stdout).toMatch(/^hello-world\s/m);
    expect(search.stdout + search.stderr).not.toContain('\u001b[');
    writeFileSync(join(home.dir, 'hello.yaml'), 'service:\n  instances: 2\nhello:\n  greeting: Hi there\n');
    const render = dcos(['package', 'describe', 'hello-world', '--options', 'hello.yaml', '--app-id', 'hello']);
    expect(render.status, render.stderr).toBe(0);
    const app = JSON.parse(render.stdout);
    expect(app.id).toBe('/hello');
    expect(app.instances).toBe(2);
    expect(app.env.GREETING).toBe('Hi there');
    expect(app.labels.DCOS_PACKAGE_NAME).toBe('hello-world');
    writeFileSync(join(home.dir, 'bad.json'), JSON.stringify({ service: { instances: -1 } }));
    const invalid = dcos(['package', 'describe', 'hello-world', '--options', 'bad.json']);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('service.instances: must be >= 0');
  });

  it('exits 2 on a usage error and 1 on a failure, with nothing on stdout', () => {
    const usage = dcos(['package', 'search', '--nope']);
    expect(usage.status).toBe(2);
    expect(usage.stdout).toBe('');
    const missing = dcos(['package', 'describe', 'no-such-package']);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('Error: Package [no-such-package] not found');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('loads no ink, react, undici, execa or yaml for --version, --help or completion', () => {
    const probe = join(REPO_ROOT, 'test', 'e2e', 'module-probe.mjs');
    const meta = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const heavy = /node_modules\/(ink|react|react-reconciler|undici|execa|yaml)\//;
    const inputsOf = (url: string) => {
      const rel = url.replace(`file://${REPO_ROOT}/`, '');
      return Object.keys(meta.outputs[rel]?.inputs ?? {});
    };
    // The core every command loads (required, so the ESM probe does not see it) holds none of them.
    expect(inputsOf(`file://${REPO_ROOT}/dist/cli.cjs`).filter((i) => heavy.test(i))).toEqual([]);
    expect(inputsOf(`file://${REPO_ROOT}/dist/cli.cjs`)).toContain('node_modules/commander/lib/command.js');
    for (const args of [['--version'], ['--help'], ['package', '--help'], ['__complete', 'package', 'describe', '']]) {
      const file = join(home.dir, `probe-${args.join('-')}.txt`);
      execFileSync(process.execPath, ['--import', probe, BIN, ...args], { env: { ...home.env, DCOS_PROBE_FILE: file }, encoding: 'utf8' });
      const loaded = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
      const inputs = loaded.flatMap(inputsOf);
      expect(inputs.filter((i) => heavy.test(i)), `modules loaded by dcos ${args.join(' ')}`).toEqual([]);
      if (args[0] === '__complete') expect(inputs.length).toBeGreaterThan(0);
    }
  });
});

describe('interrupting the built binary', () => {
  it('exits 130 on Ctrl-C while a repository download hangs, saying it was interrupted', async () => {
    const { createServer } = await import('node:http');
    const { spawn } = await import('node:child_process');
    const hung: import('node:http').ServerResponse[] = [];
    const server = createServer((_req, res) => hung.push(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const home = tempHome();
    try {
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/repo.json`;
      const { mkdirSync } = await import('node:fs');
      mkdirSync(home.env.DCOS_DIR, { recursive: true });
      writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'slow', uri: url }] }));
      const child = spawn(process.execPath, [BIN, 'package', 'search'], { env: home.env });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(hung.length).toBe(1);
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(130);
      expect(stderr).toContain('Error: Interrupted');
    } finally {
      for (const res of hung) res.destroy();
      server.close();
      home.cleanup();
    }
  });
});
