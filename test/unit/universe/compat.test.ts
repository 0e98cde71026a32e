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
