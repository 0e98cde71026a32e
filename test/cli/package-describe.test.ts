import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureHome, runCli, type TempHome } from '../helpers/index.js';
import { decodeOptionsLabel } from '../../src/universe/labels.js';

describe('dcos package describe', () => {
  let home: TempHome;
  const dcos = (...argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });
  beforeEach(() => {
    home = fixtureHome();
  });
  afterEach(() => home.cleanup());

  it('shows the latest revision in human form', async () => {
    const r = await dcos('package', 'describe', 'alpha');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^alpha 2\.0\.0\n/);
    expect(r.stdout).toMatch(/Revision:\s+2/);
    expect(r.stdout).toMatch(/Versions:\s+2\.0\.0, 1\.2\.0, 1\.0\.0/);
    expect(r.stdout).toContain('service.cpus = 0.5');
    expect(r.stdout).toContain('Alpha pre-install note.');
  });

  it('prints the whole definition as Cosmos does with --json', async () => {
    const r = await dcos('package', 'describe', 'alpha', '--package-version', '1.2.0', '--json');
    const { package: def } = JSON.parse(r.stdout);
    expect(def).toMatchObject({ name: 'alpha', version: '1.2.0', releaseVersion: 1, packagingVersion: '4.0' });
    expect(Buffer.from(def.marathon.v2AppMustacheTemplate, 'base64').toString()).toContain('"id": "{{service.name}}"');
    expect(def.resource.assets.uris.blob).toBe('https://example.com/alpha-1.2.0.tgz');
  });

  it('resolves semver ranges where versions are semver', async () => {
    const caret = await dcos('package', 'describe', 'alpha', '--package-version', '^1.0', '--json');
    expect(JSON.parse(caret.stdout).package.version).toBe('1.2.0');
    const x = await dcos('package', 'describe', 'alpha', '--package-version', '1.x', '--json');
    expect(JSON.parse(x.stdout).package.version).toBe('1.2.0');
    const exact = await dcos('package', 'describe', 'alpha', '--package-version', '1.0.0', '--json');
    expect(JSON.parse(exact.stdout).package.version).toBe('1.0.0');
  });

  it('lists versions newest first', async () => {
    const json = await dcos('package', 'describe', 'alpha', '--package-versions', '--json');
    expect(JSON.parse(json.stdout)).toEqual(['2.0.0', '1.2.0', '1.0.0']);
    const table = await dcos('package', 'describe', 'gamma', '--package-versions');
    expect(table.stdout).toMatch(/^VERSION\s+REVISION\nv1-alpha\s+3\n$/);
  });

  it('says which package is unknown, with a suggestion', async () => {
    const r = await dcos('package', 'describe', 'alpah');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Error: Package [alpah] not found');
    expect(r.stderr).toContain('Did you mean "alpha"?');
  });

  it('says which version is unknown, listing the versions there are', async () => {
    const r = await dcos('package', 'describe', 'alpha', '--package-version', '9.9.9');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error: Version [9.9.9] of package [alpha] not found');
    expect(r.stderr).toContain('Versions available: 2.0.0, 1.2.0, 1.0.0');
    const range = await dcos('package', 'describe', 'gamma', '--package-version', '^1');
    expect(range.stderr).toContain('Version [^1] of package [gamma] not found');
  });

  it('lists options flat with types, defaults and descriptions, or the raw schema with --json', async () => {
    const r = await dcos('package', 'describe', 'alpha', '--config');
    expect(r.stdout).toMatch(/^OPTION\s+TYPE\s+DEFAULT\s+DESCRIPTION$/m);
    expect(r.stdout).toMatch(/^service\.mode\s+string\s+"safe"\s+Run mode \(one of "fast", "safe"\)$/m);
    expect(r.stdout).toMatch(/^extra\.roles\s+array\s+\["\*"\]\s+Mesos roles whose resources the service may use$/m);
    const json = await dcos('package', 'describe', 'alpha', '--config', '--json');
    expect(JSON.parse(json.stdout).properties.service.properties.cpus.minimum).toBe(0.1);
  });

  it('prints the raw template with --app', async () => {
    const r = await dcos('package', 'describe', 'alpha', '--app');
    expect(r.stdout).toContain('"cpus": {{service.cpus}},');
  });

  it('renders with defaults, Cosmos labels last and the template unable to override them', async () => {
    const r = await dcos('package', 'describe', 'alpha', '--render');
    expect(r.exitCode).toBe(0);
    const app = JSON.parse(r.stdout);
    expect(app).toMatchObject({ id: 'alpha', cmd: 'echo safe && sleep 3600', cpus: 0.5, instances: 1 });
    expect(app.acceptedResourceRoles).toEqual(['*']);
    expect(app.labels.OWNER).toBe('fixtures');
    expect(app.labels.DCOS_PACKAGE_NAME).toBe('alpha');
    expect(app.labels.DCOS_PACKAGE_VERSION).toBe('2.0.0');
    expect(app.labels.DCOS_PACKAGE_SOURCE).toMatch(/^file:\/\/.*fixtures\/repos\/basic$/);
    expect(decodeOptionsLabel(app.labels.DCOS_PACKAGE_OPTIONS)).toEqual({});
  });

  it('renders with a YAML options file and --app-id, storing only the user options', async () => {
    writeFileSync(join(home.dir, 'opts.yaml'), 'service:\n  cpus: 2\n  mode: fast\nextra:\n  roles: [slave_public]\n');
    const r = await dcos('package', 'describe', 'alpha', '--options', 'opts.yaml', '--app-id', 'team/alpha-2');
    expect(r.exitCode).toBe(0);
    const app = JSON.parse(r.stdout);
    expect(app).toMatchObject({ id: '/team/alpha-2', cpus: 2, cmd: 'echo fast && sleep 3600' });
    expect(app.acceptedResourceRoles).toEqual(['slave_public']);
    expect(decodeOptionsLabel(app.labels.DCOS_PACKAGE_OPTIONS)).toEqual({ service: { cpus: 2, mode: 'fast' }, extra: { roles: ['slave_public'] } });
  });

  it('reports every invalid option with its path and description', async () => {
    writeFileSync(join(home.dir, 'bad.json'), JSON.stringify({ service: { cpus: 0, mode: 'turbo', colour: 'red', instances: 'two' } }));
    const r = await dcos('package', 'describe', 'alpha', '--options', 'bad.json');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Error: Options for package [alpha] version [2.0.0] failed validation (4 errors)');
    expect(r.stderr).toContain('service.cpus: must be >= 0.1 (CPU shares per instance)');
    expect(r.stderr).toContain('service.mode: must be one of "fast", "safe" (Run mode)');
    expect(r.stderr).toContain('service.colour: is not an option of this package (allowed here: name, cpus, instances, mode)');
    expect(r.stderr).toContain('service.instances: must be integer (Number of instances)');
  });

  it('gives one JSON error object on stderr with --json', async () => {
    writeFileSync(join(home.dir, 'bad.json'), JSON.stringify({ service: { cpus: 0 } }));
    const r = await dcos('package', 'describe', 'alpha', '--options', 'bad.json', '--json');
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).every((l) => typeof l.warning?.message === 'string')).toBe(true);
    const err = lines[lines.length - 1].error;
    expect(err.code).toBe('EOPTIONS_INVALID');
    expect(err.details).toEqual([{ path: 'service.cpus', message: 'must be >= 0.1 (CPU shares per instance)' }]);
  });

  it('names a missing or malformed options file', async () => {
    const missing = await dcos('package', 'describe', 'alpha', '--options', 'nope.json');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("Error: Couldn't read options file 'nope.json': no such file");
    writeFileSync(join(home.dir, 'broken.json'), '{"service": ');
    const broken = await dcos('package', 'describe', 'alpha', '--options', 'broken.json');
    expect(broken.stderr).toContain("Options file 'broken.json' is not valid JSON");
    writeFileSync(join(home.dir, 'list.yaml'), '- a\n- b\n');
    const list = await dcos('package', 'describe', 'alpha', '--options', 'list.yaml');
    expect(list.stderr).toContain("Options file 'list.yaml' must contain an object");
  });

  it('names the file, line and column of a syntax error and shows the line, in YAML and JSON', async () => {
    writeFileSync(join(home.dir, 'bad.yaml'), 'service:\n  cpus: 1\nmem\n');
    const yaml = await dcos('package', 'describe', 'alpha', '--options', 'bad.yaml');
    expect(yaml.exitCode).toBe(1);
    expect(yaml.stdout).toBe('');
    expect(yaml.stderr).toBe(
      "Error: Options file 'bad.yaml' is not valid YAML or JSON: Implicit map keys need to be followed by map values at line 3, column 1\n  mem\n  ^\n",
    );
    writeFileSync(join(home.dir, 'bad.json'), '{\n  "service": {"cpus": 1,}\n}\n');
    const json = await dcos('package', 'describe', 'alpha', '--options', 'bad.json');
    expect(json.exitCode).toBe(1);
    expect(json.stderr).toBe(
      "Error: Options file 'bad.json' is not valid JSON: expected a property name in double quotes at line 2, column 25\n" +
        `    "service": {"cpus": 1,}\n  ${' '.repeat(24)}^\n`,
    );
  });

  it('refuses options for a package without config.json', async () => {
    writeFileSync(join(home.dir, 'o.json'), '{"a": 1}');
    const r = await dcos('package', 'describe', 'gamma', '--options', 'o.json');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('No schema available to validate the provided options');
  });

  it('refuses an invalid --app-id as a usage error naming the flag and the rule in words', async () => {
    const r = await dcos('package', 'describe', 'alpha', '--app-id', 'Bad_Id');
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Error: Invalid app id "Bad_Id" for --app-id: "Bad_Id" holds "B", "_", "I"');
    expect(r.stderr).toContain('lowercase letters (a-z), digits, "-" and "."');
    expect(r.stderr).not.toContain('regular expression');
    expect(r.stderr).not.toContain('package template');
  });

  it('says in words what is wrong with an app id that the options render', async () => {
    writeFileSync(join(home.dir, 'id.json'), JSON.stringify({ service: { name: '/team/Bad_Id' } }));
    const r = await dcos('package', 'describe', 'alpha', '--options', 'id.json');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('/id: "/team/Bad_Id": "Bad_Id" holds "B", "_", "I"');
    expect(r.stderr).toContain("The app id comes from --app-id or from the package's service.name option.");
    expect(r.stderr).not.toContain('regular expression');
  });

  it('shows CLI binaries with --cli and says when there are none', async () => {
    const r = await dcos('package', 'describe', 'cli-only', '--cli');
    expect(JSON.parse(r.stdout).binaries.linux['x86-64'].kind).toBe('executable');
    const none = await dcos('package', 'describe', 'alpha', '--cli');
    expect(none.stderr).toContain('Package [alpha] version [2.0.0] has no CLI');
    const render = await dcos('package', 'describe', 'cli-only', '--render');
    expect(render.stderr).toContain('does not have a Marathon template');
  });

  it('refuses conflicting modes as a usage error', async () => {
    const r = await dcos('package', 'describe', 'alpha', '--config', '--render');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Choose one of');
  });
});
