/**
 * The bundled packages rendered by the real renderer (options, template, DCOS_PACKAGE_* labels,
 * Marathon validation) and translated: the container runtimes of kafka 4.0.0, cassandra 5.0.9 and
 * spark 3.5.5, the revisions that only run from an image, and the refusal of the process runtimes.
 * hello-world has no container runtime yet.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isDcosError, type DcosError } from '../../../../src/core/errors.js';
import type { AppDefinition } from '../../../../src/marathon/app-types.js';
import { appFromAnnotations, canonicalJson } from '../../../../src/scheduler/kubernetes/metadata.js';
import { Catalog } from '../../../../src/universe/catalog.js';
import { decodeTemplate } from '../../../../src/universe/model.js';
import { renderAndCheck } from '../../../../src/universe/render.js';
import { bundledRepoDir } from '../../../../src/universe/repositories.js';
import { tempHome, testActionCtx } from '../../../helpers/index.js';
import { envOf, mainContainer, statefulSet, translate } from './helpers.js';

const home = tempHome();
afterAll(() => home.cleanup());
const { ctx } = testActionCtx(home.env);
const catalog = new Catalog(ctx, [{ name: 'bundled', uri: bundledRepoDir() }]);

async function render(name: string, version: string, options: Record<string, unknown> = {}): Promise<AppDefinition> {
  const definition = (await catalog.candidates(name)).map((c) => c.definition).find((d) => d.version === version);
  if (!definition) throw new Error(`no ${name} ${version} in the bundled universe`);
  const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
  return (await renderAndCheck({ pkg, options: options as never })).app as AppDefinition;
}

function refused(app: AppDefinition, opts = {}): DcosError {
  try {
    translate(app, opts);
  } catch (err) {
    if (isDcosError(err)) return err;
    throw err;
  }
  throw new Error(`${app.id} translated`);
}

const CONTAINER = { service: { runtime: 'container' } };

const RUNTIMES = [
  { name: 'kafka', version: '4.0.0', image: 'apache/kafka:4.0.0', ports: ['broker', 'controller'], size: '2Gi', grace: 30 },
  { name: 'cassandra', version: '5.0.9', image: 'cassandra:5.0.9', ports: ['cql', 'storage', 'jmx'], size: '4Gi', grace: 60 },
  { name: 'spark', version: '3.5.5', image: 'apache/spark:3.5.5', ports: ['master', 'webui'], size: '1Gi', grace: 20 },
];

describe.each(RUNTIMES)('$name $version with service.runtime=container', (pkg) => {
  it('-> a StatefulSet running the rendered command in the image, on a claim where the sandbox volume was', async () => {
    const app = await render(pkg.name, pkg.version, CONTAINER);
    const t = translate(app);
    const s = statefulSet(t);
    expect(s.metadata.name).toBe(pkg.name);
    expect(s.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': pkg.name, 'app.kubernetes.io/version': pkg.version, 'dcos.io/package-version': pkg.version });
    expect(s.spec.replicas).toBe(1);
    const c = mainContainer(t);
    expect(c.image).toBe(pkg.image);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.command?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    // The same script, with only "$(" and "$$" doubled against Kubernetes' $(VAR) expansion.
    expect(c.command?.[2].replace(/\$\$(?=[$(])/g, '$')).toBe(app.cmd);
    expect(c.securityContext).toEqual({ runAsUser: 0 });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/mnt/mesos/sandbox/data' });
    expect(s.spec.volumeClaimTemplates.map((v) => [v.metadata.name, v.spec.resources.requests.storage])).toEqual([['data', pkg.size]]);
    expect(s.spec.template.spec.terminationGracePeriodSeconds).toBe(pkg.grace);
    expect(c.resources?.requests).toEqual(c.resources?.limits);
  });

  it('its named ports become container ports, a Service and $PORT0.., its COMMAND check exec probes', async () => {
    const t = translate(await render(pkg.name, pkg.version, CONTAINER));
    const c = mainContainer(t);
    expect(c.ports?.map((p) => p.name)).toEqual(pkg.ports);
    expect(c.ports?.map((p) => p.containerPort)).toEqual(pkg.ports.map((_, i) => 10000 + i));
    expect(t.service?.spec.ports.map((p) => [p.name, p.port])).toEqual(pkg.ports.map((name, i) => [name, 10000 + i]));
    expect(envOf(c)).toMatchObject({ HOST: '<status.podIP>', PORT0: '10000', MESOS_SANDBOX: '/mnt/mesos/sandbox' });
    expect(c.livenessProbe?.exec?.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.readinessProbe?.exec).toEqual(c.livenessProbe?.exec);
    expect(c.startupProbe?.failureThreshold).toBeGreaterThan(c.livenessProbe?.failureThreshold ?? 0);
    // A single-instance app: no disruption budget.
    expect(t.pdb).toBeUndefined();
  });

  it('reads back as the rendered app, and translates the same way twice', async () => {
    const app = await render(pkg.name, pkg.version, CONTAINER);
    const t = translate(app);
    expect(canonicalJson(appFromAnnotations(t.workload.metadata.annotations))).toBe(canonicalJson(app));
    expect(t.workload.metadata.annotations?.['label.dcos.io/DCOS_PACKAGE_OPTIONS']).toBe(app.labels?.DCOS_PACKAGE_OPTIONS);
    expect(JSON.stringify(translate(await render(pkg.name, pkg.version, CONTAINER)))).toBe(JSON.stringify(t));
  });

  it('by default (the process runtime) is refused, naming the image and the fetched distribution', async () => {
    const err = refused(await render(pkg.name, pkg.version));
    expect(err.code).toBe('EKUBE_UNSUPPORTED');
    expect(err.details.map((d) => d.path)).toEqual(['container.docker.image', 'fetch[0].uri']);
    expect(err.hint).toBe("Run it from an image: set the package's container runtime option (for the bundled packages: service.runtime=container). Nothing was applied.");
    // A fetch image lets the download run in an init container; the missing image remains.
    expect(refused(await render(pkg.name, pkg.version), { fetchImage: 'busybox:1.36' }).details.map((d) => d.path)).toEqual(['container.docker.image']);
  });
});

describe('fixed ports of the container runtimes', () => {
  it('cassandra with cql_port 9042 listens on 9042 in its pod', async () => {
    const t = translate(await render('cassandra', '5.0.9', { service: { runtime: 'container' }, cassandra: { cql_port: 9042 } }));
    const c = mainContainer(t);
    expect(c.ports?.map((p) => [p.name, p.containerPort])).toEqual([['cql', 9042], ['storage', 10001], ['jmx', 10002]]);
    expect(envOf(c)).toMatchObject({ PORT0: '9042', PORT_9042: '9042', PORT_CQL: '9042' });
    expect(t.notes).toContain('requirePorts not needed: the ports are fixed container ports of the pod anyway');
  });
});

describe('revisions that only run from an image', () => {
  it.each([
    ['kafka', '3.7.1'],
    ['kafka', '3.8.1'],
    ['kafka', '3.9.0'],
    ['cassandra', '4.1.5'],
    ['cassandra', '5.0.2'],
  ])('%s %s: its data volume is also mounted at the image\'s data directory', async (name, version) => {
    const t = translate(await render(name, version));
    const s = statefulSet(t);
    const mounts = mainContainer(t).volumeMounts?.filter((m) => m.name === 'data').map((m) => m.mountPath);
    expect(mounts?.[0]).toBe('/mnt/mesos/sandbox/data');
    expect(mounts?.[1]).toMatch(name === 'kafka' ? /^\/var\/lib\/kafka\/data$/ : /^\/var\/lib\/cassandra$/);
    expect(s.spec.template.spec.enableServiceLinks).toBe(false);
  });

  it.each([['3.5.1'], ['3.5.3']])('spark %s: without volumes, a Deployment replaced with Recreate', async (version) => {
    const t = translate(await render('spark', version));
    expect(t.workload.kind).toBe('Deployment');
    if (t.workload.kind === 'Deployment') expect(t.workload.spec.strategy).toEqual({ type: 'Recreate' });
    expect(mainContainer(t).image).toBe(`apache/spark:${version}`);
  });
});

describe('packages without a container runtime', () => {
  it.each([
    ['redis', '7.0.15'],
    ['zookeeper', '3.8.0'],
  ])('%s %s is refused for its missing image', async (name, version) => {
    const err = refused(await render(name, version));
    expect(err.details.map((d) => d.path)).toEqual(['container.docker.image']);
    expect(err.message).toBe(`The app /${name} cannot be translated for Kubernetes: 1 field has no Kubernetes meaning`);
  });
});
