import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempHome, type TempHome } from '../helpers/index.js';

describe('dcos config', () => {
  let home: TempHome;
  const dcos = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { env: { ...home.env, ...env } });
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => home.cleanup());

  it('sets, shows and unsets values in dcos.toml, readable by its owner only', async () => {
    expect((await dcos(['config', 'set', 'core.dcos_url', 'https://cluster.example.com/'])).exitCode).toBe(0);
    expect((await dcos(['config', 'set', 'core.timeout', '30'])).exitCode).toBe(0);
    const file = join(home.env.DCOS_DIR, 'dcos.toml');
    expect(readFileSync(file, 'utf8')).toBe('[core]\ndcos_url = "https://cluster.example.com"\ntimeout = 30\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const one = await dcos(['config', 'show', 'core.dcos_url']);
    expect(one.stdout).toBe('https://cluster.example.com\n');
    const all = await dcos(['config', 'show']);
    expect(all.stdout).toBe('core.dcos_url https://cluster.example.com\ncore.timeout 30\n');

    expect((await dcos(['config', 'unset', 'core.timeout'])).exitCode).toBe(0);
    expect((await dcos(['config', 'show', '--json'])).stdout).toBe('{\n  "core.dcos_url": "https://cluster.example.com"\n}\n');
  });

  it('masks the token in listings but prints it when asked for by name', async () => {
    await dcos(['config', 'set', 'core.dcos_acs_token', 's3cret']);
    expect((await dcos(['config', 'show'])).stdout).toContain('core.dcos_acs_token ********');
    expect((await dcos(['config', 'show', 'core.dcos_acs_token'])).stdout).toBe('s3cret\n');
    expect((await dcos(['config', 'list'])).stdout).not.toContain('s3cret');
  });

  it('lets the environment override the file, and says where each value comes from', async () => {
    await dcos(['config', 'set', 'core.timeout', '30']);
    expect((await dcos(['config', 'show', 'core.timeout'], { DCOS_TIMEOUT: '99' })).stdout).toBe('99\n');
    const list = JSON.parse((await dcos(['config', 'list', '--json'], { DCOS_TIMEOUT: '99' })).stdout);
    expect(list.find((r: { key: string }) => r.key === 'core.timeout')).toMatchObject({ value: 99, source: 'env', env: 'DCOS_TIMEOUT' });
    expect(list.find((r: { key: string }) => r.key === 'core.color')).toMatchObject({ value: 'auto', source: 'default' });
    const table = await dcos(['config', 'list']);
    expect(table.stdout).toMatch(/^core\.timeout\s+30\s+file\s+DCOS_TIMEOUT\s+Seconds/m);
  });

  it('checks package.asset_mirror: an existing directory (stored absolute) or an http(s) URL, from the file or the environment', async () => {
    mkdirSync(join(home.dir, 'mirror'));
    writeFileSync(join(home.dir, 'afile'), 'x');
    const set = await runCli(['config', 'set', 'package.asset_mirror', 'mirror'], { env: home.env, cwd: home.dir });
    expect(set.exitCode, set.stderr).toBe(0);
    expect((await dcos(['config', 'show', 'package.asset_mirror'])).stdout).toBe(`${join(home.dir, 'mirror')}\n`);
    expect((await dcos(['config', 'set', 'package.asset_mirror', 'https://mirror.example.com/assets/'])).exitCode).toBe(0);
    expect((await dcos(['config', 'show', 'package.asset_mirror'])).stdout).toBe('https://mirror.example.com/assets\n');
    for (const bad of [join(home.dir, 'nope'), join(home.dir, 'afile'), 'ftp://x/y', 'https://x/y?z=1']) {
      const r = await dcos(['config', 'set', 'package.asset_mirror', bad]);
      expect(r.exitCode, bad).toBe(2);
      expect(r.stderr).toContain('package.asset_mirror must be an existing directory or an http(s) base URL');
    }
    expect((await dcos(['config', 'show', 'package.asset_mirror'])).stdout).toBe('https://mirror.example.com/assets\n');
    // The environment wins over the file, and is checked the same way.
    expect((await dcos(['config', 'show', 'package.asset_mirror'], { DCOS_PACKAGE_ASSET_MIRROR: join(home.dir, 'mirror') })).stdout).toBe(`${join(home.dir, 'mirror')}\n`);
    const env = await dcos(['config', 'show', 'package.asset_mirror'], { DCOS_PACKAGE_ASSET_MIRROR: join(home.dir, 'nope') });
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toContain('DCOS_PACKAGE_ASSET_MIRROR');
    expect(env.stderr).toContain('package.asset_mirror must be');
  });

  it('refuses unknown keys and bad values as usage errors, with suggestions', async () => {
    const unknown = await dcos(['config', 'set', 'core.dcos_ulr', 'https://x']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('Unknown config key "core.dcos_ulr"');
    expect(unknown.stderr).toContain('Did you mean "core.dcos_url"?');
    const bad = await dcos(['config', 'set', 'core.timeout', 'soon']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('"soon" is not a non-negative integer');
    const color = await dcos(['config', 'set', 'core.color', 'sometimes']);
    expect(color.stderr).toContain('must be one of auto, always, never');
    const noSection = await dcos(['config', 'show', 'timeout']);
    expect(noSection.exitCode).toBe(2);
  });

  it('takes core.ssl_verify as true, false or an existing CA bundle file, kept as an absolute path', async () => {
    const maybe = await dcos(['config', 'set', 'core.ssl_verify', 'maybe']);
    expect(maybe.exitCode).toBe(2);
    expect(maybe.stderr).toContain('Invalid value "maybe" for core.ssl_verify: use true, false, or the path of a CA bundle file');
    expect(maybe.stderr).toContain('does not exist');
    const dir = await dcos(['config', 'set', 'core.ssl_verify', home.dir]);
    expect(dir.exitCode).toBe(2);
    expect(dir.stderr).toContain('is not a file');
    expect(existsSync(join(home.env.DCOS_DIR, 'dcos.toml'))).toBe(false);
    const fromEnv = await dcos(['config', 'show', 'core.ssl_verify'], { DCOS_SSL_VERIFY: 'nope.pem' });
    expect(fromEnv.exitCode).toBe(2);
    expect(fromEnv.stderr).toContain('DCOS_SSL_VERIFY (environment)');

    writeFileSync(join(home.dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    const ca = await runCli(['config', 'set', 'core.ssl_verify', 'ca.pem'], { env: home.env, cwd: home.dir });
    expect(ca.exitCode, ca.stderr).toBe(0);
    expect((await dcos(['config', 'show', 'core.ssl_verify'])).stdout.trim()).toBe(join(home.dir, 'ca.pem'));
    expect((await dcos(['config', 'set', 'core.ssl_verify', 'FALSE'])).exitCode).toBe(0);
    expect((await dcos(['config', 'show', 'core.ssl_verify'])).stdout.trim()).toBe('false');
  });

  it('says when a key has no value or is not set', async () => {
    const missing = await dcos(['config', 'show', 'core.dcos_url']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('Property "core.dcos_url" doesn\'t exist');
    const unset = await dcos(['config', 'unset', 'core.dcos_url']);
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toContain('is not set');
  });

  it('reports a malformed config file with its line', async () => {
    mkdirSync(home.env.DCOS_DIR, { recursive: true });
    writeFileSync(join(home.env.DCOS_DIR, 'dcos.toml'), '[core]\ntimeout 30\n', { flag: 'w' });
    const r = await dcos(['config', 'show']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Cannot parse .*dcos\.toml:2: expected "key = value"/);
  });
});
