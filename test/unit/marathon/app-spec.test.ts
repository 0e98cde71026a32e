// Cross-checks the validator against Marathon's own published examples and JSON Schema
// (read from the shared spec folder beside the repository; skipped when it is absent).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeApp } from '../../../src/marathon/app-defaults.js';
import type { AppDefinition } from '../../../src/marathon/app-types.js';
import { CMD_ARGS_CONTAINER_MESSAGE, validateApp, validateAppUpdate } from '../../../src/marathon/app-validation.js';
import { validApp } from './validation-helpers.js';

type Json = Record<string, unknown>;

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const specDir = resolve(repoRoot(), '..', 'shared', 'specs', 'marathon');
const examplesDir = join(specDir, 'raml', 'api', 'v2', 'examples');
const schemaFile = join(specDir, 'jsonschema', 'AppDefinition.json');
const haveExamples = existsSync(examplesDir);
const haveSchema = existsSync(schemaFile);

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSingleApp = (v: unknown): v is Json =>
  isObject(v) && typeof v.id === 'string' && !('apps' in v) && !('containers' in v) && ('cmd' in v || 'args' in v || 'container' in v);

function groupApps(group: Json): Json[] {
  const apps = Array.isArray(group.apps) ? group.apps.filter(isObject) : [];
  const groups = Array.isArray(group.groups) ? group.groups.filter(isObject) : [];
  return [...apps, ...groups.flatMap(groupApps)];
}

describe.skipIf(!haveExamples)(
  `Marathon RAML examples${haveExamples ? '' : ` (skipped: ${examplesDir} not found)`}`,
  () => {
    const files = haveExamples ? readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort() : [];
    const single = files.filter((f) => isSingleApp(readJson(join(examplesDir, f))));

    it('finds the single-app examples', () => {
      expect(single).toEqual(expect.arrayContaining(['app.json', 'app-check-http-example.json']));
    });

    // app.json carries both cmd and args, which Marathon (and AppDefinition.json's
    // `not: allOf[cmd, args]`) rejects; everything else in it must be fine.
    it('app.json fails only on the cmd+args rule', () => {
      const app = readJson(join(examplesDir, 'app.json')) as Json;
      expect(validateApp(app)).toEqual([{ path: '/', errors: [CMD_ARGS_CONTAINER_MESSAGE] }]);
      const { args: _args, ...withoutArgs } = app;
      expect(validateApp(withoutArgs)).toEqual([]);
      expect(validateApp(normalizeApp(withoutArgs as AppDefinition))).toEqual([]);
    });

    it.each(single.filter((f) => f !== 'app.json'))('%s is a valid app, before and after normalizeApp', (file) => {
      const app = readJson(join(examplesDir, file)) as AppDefinition;
      expect(validateApp(app)).toEqual([]);
      expect(validateApp(normalizeApp(app))).toEqual([]);
    });

    const collections: Array<[string, (doc: unknown) => Json[]]> = [
      ['apps_create.json', (doc) => (Array.isArray(doc) ? doc.filter(isObject) : [])],
      ['group.json', (doc) => (isObject(doc) ? groupApps(doc) : [])],
      ['app_list.json', (doc) => (isObject(doc) && Array.isArray(doc.apps) ? doc.apps.filter(isObject) : [])],
    ];
    it.each(collections)('every app inside %s is valid, before and after normalizeApp', (file, extract) => {
      const path = join(examplesDir, file);
      if (!existsSync(path)) return;
      const apps = extract(readJson(path));
      expect(apps.length).toBeGreaterThan(0);
      for (const app of apps) {
        expect({ id: app.id, details: validateApp(app) }).toEqual({ id: app.id, details: [] });
        expect(validateApp(normalizeApp(app as AppDefinition))).toEqual([]);
      }
    });

    it.each(['app_patch.json', 'apps_patch.json'])('%s holds valid partial update bodies', (file) => {
      const doc = readJson(join(examplesDir, file));
      const bodies = Array.isArray(doc) ? doc : [doc];
      expect(bodies.length).toBeGreaterThan(0);
      for (const body of bodies) expect(validateAppUpdate(body)).toEqual([]);
    });
  },
);

/** Reads a dotted path such as `properties.instances.minimum` out of the schema. */
function pick(schema: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Json | unknown[])[key as keyof typeof node], schema);
}

describe.skipIf(!haveSchema)(`AppDefinition.json constraints${haveSchema ? '' : ` (skipped: ${schemaFile} not found)`}`, () => {
  const schema = haveSchema ? readJson(schemaFile) : {};
  const num = (dotted: string): number => pick(schema, dotted) as number;
  const enumOf = (dotted: string): string[] => pick(schema, dotted) as string[];
  const docker = (d: Json, c: Json = {}): Json => validApp({ container: { type: 'DOCKER', docker: { image: 'x', ...d }, ...c } });

  const violations: Array<[string, () => Json, string]> = [
    ['not allOf [cmd, args]', () => validApp({ args: ['a'] }), '/'],
    ['required id', () => ({ cmd: 'x' }), '/id'],
    ['id pattern', () => validApp({ id: '/Not_Valid' }), '/id'],
    ['cmd minLength', () => validApp({ cmd: ''.padEnd(num('properties.cmd.minLength') - 1) }), '/cmd'],
    ['instances minimum', () => validApp({ instances: num('properties.instances.minimum') - 1 }), '/instances'],
    ['instances type integer', () => validApp({ instances: 1.5 }), '/instances'],
    ['cpus minimum', () => validApp({ cpus: num('properties.cpus.minimum') - 0.5 }), '/cpus'],
    ['mem minimum', () => validApp({ mem: num('properties.mem.minimum') - 1 }), '/mem'],
    ['gpus minimum', () => validApp({ gpus: num('properties.gpus.minimum') - 1 }), '/gpus'],
    ['backoffFactor minimum', () => validApp({ backoffFactor: num('properties.backoffFactor.minimum') - 0.5 }), '/backoffFactor'],
    ['maxLaunchDelaySeconds minimum', () => validApp({ maxLaunchDelaySeconds: num('properties.maxLaunchDelaySeconds.minimum') - 1 }), '/maxLaunchDelaySeconds'],
    ['upgradeStrategy maximum', () => validApp({ upgradeStrategy: { minimumHealthCapacity: num('properties.upgradeStrategy.properties.minimumHealthCapacity.maximum') + 0.5 } }), '/upgradeStrategy/minimumHealthCapacity'],
    ['upgradeStrategy minimum', () => validApp({ upgradeStrategy: { maximumOverCapacity: num('properties.upgradeStrategy.properties.maximumOverCapacity.minimum') - 0.5 } }), '/upgradeStrategy/maximumOverCapacity'],
    ['ports maximum', () => validApp({ ports: [num('properties.ports.items.maximum') + 1] }), '/ports(0)'],
    ['portDefinitions port minimum', () => validApp({ portDefinitions: [{ port: num('properties.portDefinitions.items.properties.port.minimum') - 1 }] }), '/portDefinitions(0)/port'],
    ['labels values are strings', () => validApp({ labels: { a: 1 } }), '/labels/a'],
    ['killSelection enum', () => validApp({ killSelection: `${enumOf('properties.killSelection.enum')[0]}_NOT` }), '/killSelection'],
    ['constraint minItems', () => validApp({ constraints: [['hostname'].slice(0, num('properties.constraints.items.minItems') - 1)] }), '/constraints(0)'],
    ['constraint operator enum', () => validApp({ constraints: [['hostname', 'NEAR']] }), '/constraints(0)'],
    ['healthCheck protocol enum', () => validApp({ healthChecks: [{ protocol: 'UDP' }] }), '/healthChecks(0)/protocol'],
    ['healthCheck portIndex minimum', () => validApp({ healthChecks: [{ portIndex: num('properties.healthChecks.items.properties.portIndex.minimum') - 1 }] }), '/healthChecks(0)/portIndex'],
    ['healthCheck intervalSeconds integer', () => validApp({ healthChecks: [{ intervalSeconds: '60' }] }), '/healthChecks(0)/intervalSeconds'],
    ['fetch item requires uri', () => validApp({ fetch: [{ cache: true }] }), '/fetch(0)/uri'],
    ['container type enum', () => validApp({ container: { type: 'RKT', docker: { image: 'x' } } }), '/container/type'],
    ['docker requires image', () => validApp({ container: { type: 'DOCKER', docker: {} } }), '/container/docker/image'],
    ['docker image minLength', () => docker({ image: '' }), '/container/docker/image'],
    ['docker network enum', () => docker({ network: 'OVERLAY' }), '/container/docker/network'],
    ['portMapping containerPort maximum', () => docker({}, { portMappings: [{ containerPort: num('definitions.containerPortMappings.items.properties.containerPort.maximum') + 1 }] }), '/container/portMappings(0)/containerPort'],
    ['taskKillGracePeriodSeconds minimum', () => validApp({ taskKillGracePeriodSeconds: num('properties.taskKillGracePeriodSeconds.minimum') - 1 }), '/taskKillGracePeriodSeconds'],
    ['unreachableStrategy oneOf', () => validApp({ unreachableStrategy: 'sometimes' }), '/unreachableStrategy'],
    ['networks mode enum', () => validApp({ networks: [{ mode: 'overlay' }] }), '/networks(0)/mode'],
  ];

  it.each(violations)('rejects a violation of %s', (_rule, build, path) => {
    const details = validateApp(build());
    expect(details.map((d) => d.path)).toContain(path);
  });

  it('accepts every enum value the schema lists', () => {
    for (const selection of enumOf('properties.killSelection.enum')) {
      expect(validateApp(validApp({ killSelection: selection }))).toEqual([]);
    }
    for (const protocol of enumOf('properties.healthChecks.items.properties.protocol.enum')) {
      const check = protocol === 'COMMAND' ? { protocol, command: { value: 'true' } } : { protocol };
      expect(validateApp(validApp({ healthChecks: [check] }))).toEqual([]);
    }
    for (const type of enumOf('properties.container.properties.type.enum')) {
      expect(validateApp(validApp({ container: { type, docker: { image: 'x' } } }))).toEqual([]);
    }
    const values: Json = { CLUSTER: 'a', LIKE: 'a.*', UNLIKE: 'b', MAX_PER: '1' };
    for (const operator of enumOf('properties.constraints.items.items.1.enum')) {
      const constraint = values[operator] === undefined ? ['hostname', operator] : ['hostname', operator, values[operator]];
      expect(validateApp(validApp({ constraints: [constraint] }))).toEqual([]);
    }
  });
});
