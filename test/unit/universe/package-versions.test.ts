/** A bundled package's version says what it runs: the image tag, or the Debian package's version. */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, testActionCtx } from '../../helpers/index.js';
import { Catalog } from '../../../src/universe/catalog.js';
import { decodeTemplate, type PackageDefinition } from '../../../src/universe/model.js';
import { renderAndCheck } from '../../../src/universe/render.js';
import { bundledRepoDir } from '../../../src/universe/repositories.js';

const home = tempHome();
const { ctx } = testActionCtx(home.env);
const catalog = new Catalog(ctx, [{ name: 'bundled', uri: bundledRepoDir() }]);
afterAll(() => home.cleanup());

const revisions = async (name: string): Promise<PackageDefinition[]> => (await catalog.candidates(name)).map((c) => c.definition);

/** The upstream part of a Debian version: `5:7.0.15-1~deb12u10` -> `7.0.15`. */
function debianUpstream(pkg: string): string {
  const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return version.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

describe('package versions', () => {
  it('container packages run the image tag of their version', async () => {
    for (const name of ['kafka', 'spark', 'cassandra']) {
      for (const definition of await revisions(name)) {
        const images = Object.values(definition.resource?.assets?.container?.docker ?? {});
        expect(images.length, `${name} ${definition.version}`).toBeGreaterThan(0);
        for (const image of images) expect(image, name).toMatch(new RegExp(`:${definition.version.replace(/\./g, '\\.')}$`));
      }
    }
  });

  it("redis's latest version is the Redis that Debian's redis-server provides", async () => {
    const [latest] = await revisions('redis');
    expect(latest.version).toBe(debianUpstream('redis-server'));
  });

  it('every redis revision refuses to start on another Redis, naming both versions', async () => {
    for (const definition of await revisions('redis')) await refusesOtherRedis(definition);
  });
});

/** The package's command, run against a stand-in redis-server of another version and of its own. */
async function refusesOtherRedis(definition: PackageDefinition): Promise<void> {
  const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
  const { app } = await renderAndCheck({ pkg, options: {} });
  const bin = mkdtempSync(join(tmpdir(), 'dcos-fake-redis-'));
  try {
    const run = (version: string) => {
      // A stand-in redis-server: reports `version`, and says it started when run as the server.
      writeFileSync(join(bin, 'redis-server'), `#!/bin/sh\nif [ "$1" = --version ]; then echo "Redis server v=${version} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0"; else echo started; fi\n`);
      chmodSync(join(bin, 'redis-server'), 0o755);
      return spawnSync('/bin/sh', ['-c', app.cmd as string], {
        env: { PATH: `${bin}:/usr/bin:/bin`, MESOS_SANDBOX: bin, PORT0: '1' },
        encoding: 'utf8',
      });
    };
    const other = run('7.0.99');
    expect(other.status).toBe(1);
    expect(other.stdout).toBe('');
    expect(other.stderr).toContain(`This package version runs Redis ${definition.version}, but this node has: Redis server v=7.0.99`);
    const same = run(definition.version);
    expect(same.status, same.stderr).toBe(0);
    expect(same.stdout).toBe('started\n');
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}
