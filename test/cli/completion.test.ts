import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureHome, runCli, type TempHome } from '../helpers/index.js';

describe('shell completion', () => {
  let home: TempHome;
  const complete = async (...words: string[]) => {
    const r = await runCli(['__complete', ...words], { env: home.env });
    expect(r.exitCode).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  };
  beforeEach(() => {
    home = fixtureHome();
  });
  afterEach(() => home.cleanup());

  it('prints a script for bash, zsh and fish, and refuses other shells', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(['completion', shell], { env: home.env });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('dcos __complete');
    }
    const bad = await runCli(['completion', 'tcsh'], { env: home.env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('Unsupported shell "tcsh"');
  });

  it('completes groups, commands, options and their values', async () => {
    expect(await complete('')).toEqual(['cluster', 'completion', 'config', 'marathon', 'node', 'package', 'service', 'task']);
    expect(await complete('cluster', '')).toEqual(['attach', 'down', 'list', 'remove', 'setup', 'status', 'up']);
    expect(await complete('pa')).toEqual(['package']);
    expect(await complete('package', '')).toEqual(['describe', 'install', 'list', 'pull', 'repo', 'search', 'uninstall', 'update']);
    expect(await complete('package', 'repo', 'r')).toEqual(['remove']);
    expect(await complete('package', 'describe', '--package-v')).toEqual(['--package-version', '--package-versions']);
    expect(await complete('package', 'search', '--j')).toEqual(['--json']);
    expect(await complete('--color', 'a')).toEqual([]);
    expect(await complete('completion', '')).toEqual(['bash', 'fish', 'zsh']);
  });

  it('completes package names, config keys and repository names from what is configured', async () => {
    expect(await complete('package', 'describe', 'al')).toEqual(['alpha']);
    expect(await complete('package', 'describe', '--package-version', '1.0.0', 'g')).toEqual(['gamma']);
    expect(await complete('config', 'set', 'core.dcos')).toEqual(['core.dcos_acs_token', 'core.dcos_url']);
    expect(await complete('package', 'repo', 'remove', '')).toEqual(['fixtures']);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(home.env.DCOS_DIR, { recursive: true });
    writeFileSync(`${home.env.DCOS_DIR}/clusters.json`, JSON.stringify({ clusters: [{ name: 'prod', kind: 'dcos', url: 'https://x' }, { name: 'dev', kind: 'local', dataDir: '/tmp/x' }] }));
    expect(await complete('cluster', 'attach', '')).toEqual(['dev', 'prod']);
  });
});
