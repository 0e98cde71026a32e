/** The Cosmos render expectations in ../shared/specs/cosmos are met. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPath, tempHome, testActionCtx } from '../../helpers/index.js';
import { Catalog } from '../../../src/universe/catalog.js';
import { decodeDefinitionLabel, decodeOptionsLabel } from '../../../src/universe/labels.js';
import { decodeTemplate, type PackageDefinition } from '../../../src/universe/model.js';
import { deepMerge, extractDefaults } from '../../../src/universe/options.js';
import { renderPackage } from '../../../src/universe/render.js';

const spec = sharedPath('specs', 'cosmos');
const read = (...p: string[]) => JSON.parse(readFileSync(join(spec.path, ...p), 'utf8'));

/** Decodes the two encoded labels and drops nulls, as the expectation files show them. */
function comparable(app: Record<string, unknown>) {
  const labels = { ...(app.labels as Record<string, string>) } as Record<string, unknown>;
  const def = decodeDefinitionLabel(labels.DCOS_PACKAGE_DEFINITION as string);
  const wrapper = JSON.parse(Buffer.from(labels.DCOS_PACKAGE_DEFINITION as string, 'base64').toString());
  labels.DCOS_PACKAGE_DEFINITION = { metadata: wrapper.metadata, data: def };
  labels.DCOS_PACKAGE_OPTIONS = decodeOptionsLabel(labels.DCOS_PACKAGE_OPTIONS as string);
  return { ...app, labels };
}

function resolvedFrom(definition: PackageDefinition, sourceUri: string) {
  return { definition, repository: { name: 'spec', uri: sourceUri }, sourceUri, template: decodeTemplate(definition) };
}

describe.skipIf(!spec.exists)(`Cosmos render expectations${spec.skipNote}`, () => {
  const home = tempHome();
  afterAll(() => home.cleanup());

  describe('integration-helloworld: four revisions in one repository', () => {
    const cases = read('integration-helloworld', 'cases.json');
    const packages = ['package-0.1.0-rel0-v2.json', 'package-0.4.0-rel3-v4.json', 'package-0.4.1-rel4-v4.json', 'package-0.4.2-rel5-v4.json'].map((f) =>
      read('integration-helloworld', f),
    );
    const indexFile = join(home.dir, 'helloworld-index.json');
    writeFileSync(indexFile, JSON.stringify({ packages }));
    const { ctx, warnings } = testActionCtx(home.env);
    const catalog = new Catalog(ctx, [{ name: 'helloworld-universe', uri: indexFile }]);

    for (const c of cases.cases.filter((x: { package?: string }) => x.package)) {
      it(`renders ${c.request.packageName} ${c.request.packageVersion ?? '(no version)'} with ${JSON.stringify(c.request.options ?? {})}`, async () => {
        const pkg = await catalog.resolve(c.request.packageName, c.request.packageVersion);
        // The expectation names the repository Cosmos used; our source is the index file.
        pkg.sourceUri = cases.repositorySource;
        const { app } = await renderPackage({ pkg, options: c.request.options ?? {} });
        expect(comparable(app)).toEqual(read('integration-helloworld', c.expectedResponse).marathonJson);
        expect(warnings).toEqual([]);
      });
    }

    it('says a package without a template cannot be rendered', async () => {
      const errorCase = cases.cases.find((x: { expectedStatus?: number }) => x.expectedStatus === 400);
      const def = { packagingVersion: '3.0', name: 'enterprise-security-cli', version: '0.8.0', maintainer: 'm', description: 'd', tags: [], releaseVersion: 0 } as PackageDefinition;
      await expect(renderPackage({ pkg: resolvedFrom(def, 'x'), options: {} })).rejects.toThrow(errorCase.expectedResponse.message);
    });
  });

  describe('renderer-spec', () => {
    it('merges defaults and options as Cosmos does (arrays and scalars replace, objects merge)', () => {
      for (const c of read('renderer-spec', 'merge-defaults-and-options.json').cases) {
        expect(deepMerge(c.defaults, c.options)).toEqual(c.merged);
      }
    });

    it('follows the label and override priority', async () => {
      const s = read('renderer-spec', 'label-and-override-priority.json');
      const { 'marathon.json.mustache': template, ...rest } = s.package;
      const def = { ...rest, tags: [], marathon: { v2AppMustacheTemplate: Buffer.from(template).toString('base64') } } as PackageDefinition;
      const { app } = await renderPackage({ pkg: resolvedFrom(def, s.sourceUri), options: s.options, appId: s.appId });
      expect(app.id).toBe(s.expected.id);
      expect(app.uri).toBe(s.expected.uri);
      const labels = app.labels as Record<string, string>;
      expect(labels.DCOS_PACKAGE_NAME).toBe('test');
      expect(labels.DCOS_PACKAGE_SOURCE).toBe('http://someplace');
      expect(labels.DCOS_PACKAGE_VERSION).toBe('1.2.3');
      expect(decodeOptionsLabel(labels.DCOS_PACKAGE_OPTIONS)).toEqual(s.options);
      expect(JSON.parse(Buffer.from(labels.DCOS_PACKAGE_DEFINITION, 'base64').toString()).metadata['Content-Type']).toBe(
        'application/vnd.dcos.universe.package+json;charset=utf-8;version=v2',
      );
      expect(decodeDefinitionLabel(labels.DCOS_PACKAGE_DEFINITION).command).toEqual(s.package.command);
    });

    describe('error cases', () => {
      const cases = read('renderer-spec', 'error-cases.json').cases as Array<Record<string, any>>;
      const base = { packagingVersion: '3.0', name: 'test', version: '1.2.3', maintainer: 'm', description: 'd', tags: [], releaseVersion: 0 };
      for (const c of cases) {
        it(c.name, async () => {
          const def = {
            ...base,
            ...(c.package ?? {}),
            ...(c.template ? { marathon: { v2AppMustacheTemplate: Buffer.from(c.template).toString('base64') } } : {}),
            ...(c.config ? { config: c.config } : {}),
          } as PackageDefinition;
          const render = renderPackage({ pkg: resolvedFrom(def, 'http://someplace'), options: c.options ?? {}, appId: c.appId });
          if (c.expectedMessage) {
            await expect(render).rejects.toThrow(c.expectedErrorType === 'JsonDecodingError' ? /labels/ : c.expectedMessage);
          } else if (c.name === 'no marathon template') {
            await expect(render).rejects.toThrow(/does not have a Marathon template/);
          } else if (c.appId) {
            expect((await render).app.id).toBe(c.expected.id);
          } else {
            const { app } = await render;
            expect((app.env as Record<string, string>).some).toBe('thing');
            expect(Object.keys(app.labels as object).sort()).toEqual(['DCOS_PACKAGE_DEFINITION', 'DCOS_PACKAGE_NAME', 'DCOS_PACKAGE_OPTIONS', 'DCOS_PACKAGE_SOURCE', 'DCOS_PACKAGE_VERSION']);
          }
        });
      }
    });

    it('extracts defaults the Cosmos way: nested objects only when non-empty', () => {
      const schema = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } }, c: { type: 'object', default: { x: 1 }, properties: { y: { default: 2 } } }, d: { default: false } } };
      expect(extractDefaults(schema)).toEqual({ c: { x: 1 }, d: false });
    });
  });
});
