import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureHome, runCli, type TempHome } from '../helpers/index.js';

describe('dcos package search', () => {
  let home: TempHome;
  beforeEach(() => {
    home = fixtureHome();
  });
  afterEach(() => home.cleanup());

  it('lists every valid package, certified first, as a table', async () => {
    const r = await runCli(['package', 'search'], { env: home.env });
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+CERTIFIED\s+FRAMEWORK\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['gamma', 'alpha', 'beta', 'cli-only']);
    expect(lines[1]).toMatch(/^gamma\s+v1-alpha\s+true\s+false\s+Gamma metrics collector$/);
  });

  it('reports each invalid revision once on stderr, naming the file and JSON path, and skips it', async () => {
    const r = await runCli(['package', 'search'], { env: home.env });
    expect(r.stderr).toContain('Skipping invalid package [beta] revision 1 in repository [fixtures]');
    expect(r.stderr).toContain('packages/B/beta/1/package.json: /tags/0: "bad tag" must match no whitespace');
    expect(r.stderr).toContain('packages/G/gamma/7/marathon.json.mustache');
    expect(r.stderr.match(/beta\] revision 1/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^beta\s+0\.9\s/m);
  });

  it('matches names, tags and descriptions case-insensitively', async () => {
    const byTag = await runCli(['package', 'search', 'QUEUE'], { env: home.env });
    expect(byTag.stdout).toMatch(/^alpha\s/m);
    const byDescription = await runCli(['package', 'search', 'storage'], { env: home.env });
    expect(byDescription.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['beta']);
  });

  it('treats * as a whole-string wildcard', async () => {
    const r = await runCli(['package', 'search', '*a', '--json'], { env: home.env });
    expect(JSON.parse(r.stdout).packages.map((p: { name: string }) => p.name)).toEqual(['gamma', 'alpha', 'beta']);
    const none = await runCli(['package', 'search', 'alp*x', '--json'], { env: home.env });
    expect(JSON.parse(none.stdout).packages).toEqual([]);
  });

  it('prints Cosmos-shaped JSON with every version', async () => {
    const r = await runCli(['package', 'search', 'alpha', '--json'], { env: home.env });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      packages: [
        {
          name: 'alpha',
          currentVersion: '2.0.0',
          versions: { '2.0.0': '2', '1.2.0': '1', '1.0.0': '0' },
          description: 'Alpha test service for message queues',
          framework: false,
          tags: ['queue', 'test'],
          selected: false,
        },
      ],
    });
  });

  it('matching nothing is a success in both forms: a note on stderr, or an empty list with --json', async () => {
    const table = await runCli(['package', 'search', 'nothing-like-this'], { env: home.env });
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toBe('');
    expect(table.stderr).toContain('No packages found matching "nothing-like-this"');
    expect(table.stderr).not.toContain('Error');
    const json = await runCli(['package', 'search', 'nothing-like-this', '--json'], { env: home.env });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ packages: [] });
  });

  it("agrees with describe when the latest revision's config.json breaks in place", async () => {
    const { cpSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { FIXTURE_REPO } = await import('../helpers/index.js');
    const repo = join(home.dir, 'repo');
    cpSync(FIXTURE_REPO, repo, { recursive: true });
    writeFileSync(`${home.env.DCOS_DIR}/repositories.json`, JSON.stringify({ repositories: [{ name: 'copy', uri: repo }] }));
    const before = await runCli(['package', 'search', 'alpha', '--json'], { env: home.env });
    expect(JSON.parse(before.stdout).packages[0].currentVersion).toBe('2.0.0');
    writeFileSync(join(repo, 'packages', 'A', 'alpha', '2', 'config.json'), '{"type": "object",');
    const search = await runCli(['package', 'search', 'alpha', '--json'], { env: home.env });
    const [alpha] = JSON.parse(search.stdout).packages;
    expect(alpha.currentVersion).toBe('1.2.0');
    expect(alpha.versions).toEqual({ '1.2.0': '1', '1.0.0': '0' });
    expect(search.stderr).toContain('Skipping invalid package [alpha] revision 2 in repository [copy]');
    expect(search.stderr).toContain('packages/A/alpha/2/config.json: invalid JSON');
    const describe = await runCli(['package', 'describe', 'alpha', '--package-versions', '--json'], { env: home.env });
    expect(JSON.parse(describe.stdout)).toEqual(['1.2.0', '1.0.0']);
  });

  it('searches the bundled repository by default', async () => {
    const bare = fixtureHome();
    const { rmSync } = await import('node:fs');
    rmSync(`${bare.env.DCOS_DIR}/repositories.json`);
    const r = await runCli(['package', 'search', 'kafka', '--json'], { env: bare.env });
    bare.cleanup();
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).packages.map((p: { name: string }) => p.name)).toContain('kafka');
  });
});
