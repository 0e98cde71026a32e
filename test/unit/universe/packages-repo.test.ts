/** The bundled universe: every package is valid, well described, versioned for upgrades and renders. */
import semver from 'semver';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, testActionCtx } from '../../helpers/index.js';
import { Catalog } from '../../../src/universe/catalog.js';
import { decodeTemplate } from '../../../src/universe/model.js';
import { renderAndCheck } from '../../../src/universe/render.js';
import { bundledRepoDir } from '../../../src/universe/repositories.js';

const EXPECTED = ['cassandra', 'hello-world', 'kafka', 'redis', 'spark', 'zookeeper'];
/**
 * A package's version says what it runs: where the node's software exists in one version only,
 * so does the package (Debian 12 ships ZooKeeper 3.8.0 alone).
 */
const ONE_VERSION: Record<string, string> = { zookeeper: 'Debian 12 ships ZooKeeper 3.8.0 only' };

function* properties(schema: Record<string, any>, prefix = ''): Generator<[string, Record<string, any>]> {
  for (const [key, prop] of Object.entries<Record<string, any>>(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    yield [path, prop];
    if (prop.properties) yield* properties(prop, path);
  }
}

describe('packages-repo', () => {
  const home = tempHome();
  afterAll(() => home.cleanup());
  const { ctx, warnings } = testActionCtx(home.env);
  const catalog = new Catalog(ctx, [{ name: 'bundled', uri: bundledRepoDir() }]);

  it('holds the expected packages, none of them invalid', async () => {
    expect(await catalog.packageNames()).toEqual(EXPECTED);
    expect(warnings).toEqual([]);
  });

  for (const name of EXPECTED) {
    describe(name, () => {
      it('has semver versions on packagingVersion 4.0, increasing with the revision (two or more where the software has them)', async () => {
        const revisions = (await catalog.candidates(name)).map((c) => c.definition).reverse();
        expect(revisions.length).toBeGreaterThanOrEqual(ONE_VERSION[name] ? 1 : 2);
        for (const [i, def] of revisions.entries()) {
          expect(def.packagingVersion).toBe('4.0');
          expect(semver.valid(def.version), `${name} ${def.version}`).not.toBeNull();
          if (i > 0) {
            expect(semver.gt(def.version, revisions[i - 1].version)).toBe(true);
            expect(def.upgradesFrom).toContain(revisions[i - 1].version);
          }
        }
      });

      it('describes every option and gives leaves a type', async () => {
        for (const { definition } of await catalog.candidates(name)) {
          for (const [path, prop] of properties(definition.config ?? {})) {
            expect(typeof prop.description, `${name} ${definition.version} ${path} description`).toBe('string');
            expect(prop.description.length).toBeGreaterThan(3);
            if (!prop.properties) expect(prop.type, `${name} ${path} type`).toBeDefined();
          }
        }
      });

      it('renders every revision with default options into a valid Marathon app', async () => {
        for (const { definition } of await catalog.candidates(name)) {
          const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
          const { app } = await renderAndCheck({ pkg, options: {} });
          expect(app.id).toBe(name);
          expect(app.labels).toMatchObject({ DCOS_PACKAGE_NAME: name, DCOS_PACKAGE_VERSION: definition.version });
          expect((app.healthChecks as unknown[]).length, `${name} has a health check`).toBeGreaterThan(0);
        }
      });
    });
  }
});
