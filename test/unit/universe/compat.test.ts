/**
 * Every revision of every real Universe package in ../shared/universe-compat loads, searches,
 * describes and renders with default options.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath, tempHome, testActionCtx } from '../../helpers/index.js';
import { Catalog } from '../../../src/universe/catalog.js';
import { decodeTemplate } from '../../../src/universe/model.js';
import { renderAndCheck, renderPackage } from '../../../src/universe/render.js';

const compat = sharedPath('universe-compat', 'repo');

describe.skipIf(!compat.exists)(`universe-compat packages${compat.skipNote}`, () => {
  const home = tempHome();
  afterAll(() => home.cleanup());
  const { ctx, warnings } = testActionCtx(home.env);
  const catalog = new Catalog(ctx, [{ name: 'compat', uri: compat.path }]);

  const onDisk = readdirSync(join(compat.path, 'packages')).flatMap((letter) =>
    readdirSync(join(compat.path, 'packages', letter)).map((name) => ({
      name,
      revisions: readdirSync(join(compat.path, 'packages', letter, name)).map(Number).sort((a, b) => b - a),
    })),
  );

  it('loads every package and reports no invalid revision', async () => {
    const names = await catalog.packageNames();
    expect(names.sort()).toEqual(onDisk.map((p) => p.name).sort());
    expect(warnings).toEqual([]);
  });

  it('searches by name, tag and description', async () => {
    expect((await catalog.search('kafka')).map((r) => r.name)).toEqual(['confluent-kafka', 'kafka']);
    expect((await catalog.search('vpn')).map((r) => r.name)).toEqual(['tunnel-cli']);
    const all = await catalog.search();
    expect(all).toHaveLength(onDisk.length);
    const kafka = all.find((r) => r.name === 'kafka');
    expect(kafka?.releaseVersion).toBe(1200);
    expect(kafka?.versions['0.9.4.0']).toBe(3);
  });

  for (const pkg of onDisk) {
    it(`${pkg.name}: every revision resolves and renders with default options`, async () => {
      const candidates = await catalog.candidates(pkg.name);
      expect(candidates.map((c) => c.definition.releaseVersion)).toEqual(pkg.revisions);
      for (const { definition } of candidates) {
        const resolved = { definition, repository: { name: 'compat', uri: compat.path }, sourceUri: 'file:///compat', template: decodeTemplate(definition) };
        if (resolved.template === undefined) {
          await expect(renderPackage({ pkg: resolved, options: {} })).rejects.toThrow(/does not have a Marathon template/);
          continue;
        }
        const { app } = await renderAndCheck({ pkg: resolved, options: {} }).catch((err) => {
          throw new Error(`${pkg.name} revision ${definition.releaseVersion}: ${err.message}\n${JSON.stringify(err.details)}`);
        });
        const labels = app.labels as Record<string, string>;
        expect(labels.DCOS_PACKAGE_NAME).toBe(pkg.name);
        expect(labels.DCOS_PACKAGE_VERSION).toBe(definition.version);
      }
    });
  }
});

describe.skipIf(!compat.exists)(`dcos package commands on universe-compat${compat.skipNote}`, () => {
  it('describes versions by exact string, lists versions, and renders with options', async () => {
    const { runCli, tempHome: home_ } = await import('../../helpers/index.js');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const home = home_();
    try {
      mkdirSync(home.env.DCOS_DIR, { recursive: true });
      writeFileSync(join(home.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'compat', uri: compat.path }] }));
      const dcos = (...argv: string[]) => runCli(argv, { env: home.env, cwd: home.dir });
      const old = await dcos('package', 'describe', 'kafka', '--package-version', '0.9.4.0', '--json');
      expect(JSON.parse(old.stdout).package.releaseVersion).toBe(3);
      const versions = JSON.parse((await dcos('package', 'describe', 'nginx', '--package-versions', '--json')).stdout);
      expect(new Set(versions).size).toBe(versions.length);
      writeFileSync(join(home.dir, 'o.json'), JSON.stringify({ service: { name: 'kafka-dev' } }));
      const render = await dcos('package', 'describe', 'kafka', '--options', 'o.json');
      expect(render.exitCode).toBe(0);
      const app = JSON.parse(render.stdout);
      expect(app.id).toBe('kafka-dev');
      expect(app.labels.DCOS_COMMONS_UNINSTALL).toBe('true');
      const cli = await dcos('package', 'describe', 'tunnel-cli', '--cli');
      expect(JSON.parse(cli.stdout).binaries).toBeDefined();
      const search = await dcos('package', 'search', 'kafka');
      expect(search.stdout.split('\n')[1]).toMatch(/^confluent-kafka\s/);
    } finally {
      home.cleanup();
    }
  });
});
