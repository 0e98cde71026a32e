/**
 * The apps the daemon returns, checked against Marathon's own JSON Schemas (AppDefinition.json and
 * Group.json, draft-04, from ../shared/specs/marathon/jsonschema).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopAllDaemons, type TestDaemon } from '../helpers/daemon.js';
import { sharedPath } from '../helpers/shared.js';
import { createApp, HTTP_SERVER_CMD, sleeper, waitNoDeployments, waitRunning, type Json } from './support.js';

const appSchema = sharedPath('specs', 'marathon', 'jsonschema', 'AppDefinition.json');
const groupSchema = sharedPath('specs', 'marathon', 'jsonschema', 'Group.json');

/** Fields of AppInfo that are not part of the app definition. */
const APP_INFO_FIELDS = ['tasks', 'tasksStaged', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'deployments', 'lastTaskFailure', 'tasksStats', 'readinessCheckResults'];
/**
 * The notes require cmd/args/container to be present (null when unset) because the legacy CLI
 * indexes them; the 1.7 schema types them as string/array/object. Only these may be null.
 */
const NULLABLE = ['cmd', 'args', 'container'];

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

function definitionOf(appInfo: Json): Json {
  const def: Json = { ...appInfo };
  for (const key of APP_INFO_FIELDS) delete def[key];
  const nulls = Object.keys(def).filter((k) => def[k] === null);
  expect(nulls.filter((k) => !NULLABLE.includes(k)), `null fields of ${def.id}`).toEqual([]);
  for (const k of nulls) delete def[k];
  return def;
}

describe.skipIf(!appSchema.exists || !groupSchema.exists)(`responses against Marathon's JSON Schemas${appSchema.skipNote}${groupSchema.skipNote}`, () => {
  let d: TestDaemon;
  let validateApp: Validate;
  let validateGroup: Validate;

  beforeAll(async () => {
    const { default: Ajv } = await import('ajv-draft-04');
    const ajv = new (Ajv as unknown as new (opts: object) => { addSchema(s: object, key?: string): void; compile(s: object): Validate })({
      allErrors: true,
      strict: false,
      validateFormats: false,
      logger: false,
    });
    const load = (file: string) => {
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      delete schema.$schema; // "http://json-schema.org/schema#": the files are draft-04
      return schema;
    };
    const app = load(appSchema.path);
    const group = load(groupSchema.path);
    // Group.json refers to "./AppDefinition.json" relative to its own id; AppDefinition.json has none.
    ajv.addSchema(app, new URL('./AppDefinition.json', group.id).href);
    validateApp = ajv.compile(app);
    validateGroup = ajv.compile(group);
    d = await startDaemon();
    await createApp(d, sleeper('/schema/db', { instances: 1 }));
    await createApp(d, {
      id: '/schema/web',
      cmd: HTTP_SERVER_CMD,
      cpus: 0.02,
      mem: 32,
      disk: 1,
      instances: 2,
      env: { MODE: 'test' },
      labels: { tier: 'front', HAPROXY_GROUP: 'external' },
      constraints: [['hostname', 'CLUSTER', '']],
      portDefinitions: [{ port: 0, name: 'http', labels: { VIP_0: '/web:80' } }, { port: 0, protocol: 'udp' }],
      healthChecks: [
        { protocol: 'HTTP', path: '/health', portIndex: 0, intervalSeconds: 1, gracePeriodSeconds: 5, timeoutSeconds: 1, maxConsecutiveFailures: 3 },
        { protocol: 'TCP', portIndex: 0, intervalSeconds: 2 },
        { protocol: 'COMMAND', command: { value: 'true' }, intervalSeconds: 2 },
      ],
      upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.5 },
      backoffSeconds: 2,
      backoffFactor: 1.5,
      maxLaunchDelaySeconds: 60,
      killSelection: 'OLDEST_FIRST',
      taskKillGracePeriodSeconds: 2,
      unreachableStrategy: { inactiveAfterSeconds: 60, expungeAfterSeconds: 120 },
      acceptedResourceRoles: ['*'],
      dependencies: ['/schema/db'],
      fetch: [{ uri: HTTP_SERVER_CMD.split("'")[3], extract: false, executable: true }],
    });
    await createApp(d, { id: '/schema/args', args: ['sleep', '1000'], cpus: 0.01, mem: 16, instances: 0 });
    await createApp(d, { id: '/schema/docker', cpus: 0.01, mem: 16, instances: 0, container: { type: 'DOCKER', docker: { image: 'nginx:1.25' } } });
    await waitRunning(d, '/schema/web', 2, { healthy: true });
    await waitNoDeployments(d);
  });
  afterAll(stopAllDaemons);

  const check = (validate: Validate, value: unknown, what: string) => {
    const ok = validate(value);
    expect(validate.errors ?? [], `${what}: ${JSON.stringify(validate.errors, null, 1)}`).toEqual([]);
    expect(ok).toBe(true);
  };

  it('GET /v2/apps/{id} (minus AppInfo fields) is a valid AppDefinition', async () => {
    for (const id of ['/schema/web', '/schema/db', '/schema/args', '/schema/docker']) {
      const res = await d.api('GET', `/v2/apps${id}?embed=app.taskStats&embed=app.lastTaskFailure`);
      expect(res.status).toBe(200);
      check(validateApp, definitionOf(res.json.app), id);
    }
  });

  it('the schema check itself rejects a broken definition', async () => {
    const res = await d.api('GET', '/v2/apps/schema/web');
    const def = definitionOf(res.json.app);
    expect(validateApp({ ...def, instances: 'two' })).toBe(false);
    expect(validateApp({ ...def, unknownField: 1 })).toBe(false);
    expect(validateApp({ ...def, healthChecks: [{ ...def.healthChecks[0], protocol: 'SMOKE' }] })).toBe(false);
  });

  it('every app of GET /v2/apps and every stored version is a valid AppDefinition', async () => {
    const list = await d.api('GET', '/v2/apps?embed=apps.tasks&embed=apps.counts&embed=apps.deployments');
    expect(list.json.apps.length).toBe(4);
    for (const app of list.json.apps) check(validateApp, definitionOf(app), `list item ${app.id}`);
    const versions = (await d.api('GET', '/v2/apps/schema/web/versions')).json.versions;
    const version = await d.api('GET', `/v2/apps/schema/web/versions/${versions[0]}`);
    check(validateApp, definitionOf(version.json), 'a stored version');
  });

  it('GET /v2/groups is a valid Group (minus pods/enforceRole, which are newer than the schema)', async () => {
    const res = await d.api('GET', '/v2/groups');
    const strip = (g: Json): Json => {
      const { pods: _p, enforceRole: _e, ...rest } = g;
      return { ...rest, apps: g.apps.map(definitionOf), groups: g.groups.map(strip) };
    };
    const root = strip(res.json);
    expect(root.groups.map((g: Json) => g.id)).toEqual(['/schema']);
    check(validateGroup, root, 'root group');
  });
});
