/**
 * Input nested 2,000 deep (package files, options files) is refused with a clear message naming
 * the file, never a stack overflow: an invalid revision is skipped like any other, the rest of the
 * repository works.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_REPO, fixtureHome, runCli, type TempHome } from '../helpers/index.js';

const DEPTH = 2000;
/** A JSON Schema whose properties nest `depth` objects deep. */
const deepSchema = (depth: number) => '{"type":"object","properties":{"a":'.repeat(depth) + '{"type":"string","description":"d"}' + '}}'.repeat(depth);
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('deeply nested input', () => {
  let home: TempHome;
  let repo: string;
  const dcos = (...argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });
  const alpha = (rev: number, file: string) => join(repo, 'packages', 'A', 'alpha', String(rev), file);
  beforeEach(() => {
    home = fixtureHome();
    repo = join(home.dir, 'repo');
    cpSync(FIXTURE_REPO, repo, { recursive: true });
  });
  afterEach(() => home.cleanup());

  /** Adds the modified copy and drops the original fixtures, whose revisions would mask it. */
  const addDeep = async () => {
    const add = await dcos('package', 'repo', 'add', 'deep', repo, '--index', '0');
    expect((await dcos('package', 'repo', 'remove', 'fixtures')).exitCode).toBe(0);
    return add;
  };

  const expectSkipped = async (rev: number, file: string) => {
    const add = await addDeep();
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.stderr).not.toContain('internal error');
    expect(add.stderr).toContain(`packages/A/alpha/${rev}/${file} (is nested too deep: more than 100 levels of objects and arrays)`);
    const search = await dcos('package', 'search', 'alpha', '--json');
    expect(search.exitCode, search.stderr).toBe(0);
    expect(search.stderr).toContain(`Skipping invalid package [alpha] revision ${rev} in repository [deep]`);
    expect(search.stderr).toContain(`packages/A/alpha/${rev}/${file}: is nested too deep`);
    const versions = JSON.parse(search.stdout).packages[0].versions;
    expect(Object.values(versions)).not.toContain(String(rev));
    const describe = await dcos('package', 'describe', 'alpha', '--package-versions', '--json');
    expect(describe.exitCode, describe.stderr).toBe(0);
    expect(JSON.parse(describe.stdout)).toHaveLength(2);
  };

  it('skips a revision whose config.json nests 2,000 deep', async () => {
    writeFileSync(alpha(2, 'config.json'), deepSchema(DEPTH));
    await expectSkipped(2, 'config.json');
  });

  it('skips a revision whose package.json, resource.json or template nests 2,000 deep', async () => {
    const pkg = { packagingVersion: '4.0', name: 'alpha', version: '1.0.0', maintainer: 'm', description: 'd', tags: ['x'] };
    writeFileSync(alpha(0, 'package.json'), JSON.stringify(pkg).replace(/}$/, `,"extra":${deepArray(DEPTH)}}`));
    writeFileSync(alpha(1, 'resource.json'), `{"assets":{"uris":${'{"a":'.repeat(DEPTH)}"x"${'}'.repeat(DEPTH)}}}`);
    writeFileSync(alpha(2, 'marathon.json.mustache'), `${'{{#a}}'.repeat(DEPTH)}x${'{{/a}}'.repeat(DEPTH)}`);
    const add = await addDeep();
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.stderr).toContain('packages/A/alpha/0/package.json (is nested too deep');
    expect(add.stderr).toContain('packages/A/alpha/1/resource.json (is nested too deep');
    expect(add.stderr).toMatch(/packages\/A\/alpha\/2\/marathon\.json\.mustache \(Sections nested too deep: more than 100 levels at line 1, column \d+\)/);
    const search = await dcos('package', 'search', '--json');
    expect(search.exitCode, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).packages.map((p: { name: string }) => p.name)).not.toContain('alpha');
    expect(JSON.parse(search.stdout).packages.map((p: { name: string }) => p.name)).toContain('beta');
  });

  it('refuses an options file nested 2,000 deep, naming the file (JSON and YAML)', async () => {
    writeFileSync(join(home.dir, 'deep.json'), `{"service":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`);
    const json = await dcos('package', 'describe', 'alpha', '--options', 'deep.json');
    expect(json.exitCode).toBe(1);
    expect(json.stdout).toBe('');
    expect(json.stderr).toContain("Error: Options file 'deep.json' is nested too deep: more than 100 levels of objects and arrays");
    writeFileSync(join(home.dir, 'deep.yaml'), `service: ${deepArray(DEPTH)}\n`);
    const yaml = await dcos('package', 'describe', 'alpha', '--options', 'deep.yaml');
    expect(yaml.exitCode).toBe(1);
    expect(yaml.stderr).toContain("Error: Options file 'deep.yaml' is nested too deep: more than 100 levels of objects and arrays");
    expect(yaml.stderr).not.toContain('internal error');
  });
});
