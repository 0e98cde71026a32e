/**
 * The bundled kafka 4.x revision: its process runtime fetches the official release tarball from
 * the Apache archive with the sha512 Apache published for it, and its container runtime runs the
 * same rendered config in the official image, on the same persistent volume.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, testActionCtx } from '../../helpers/index.js';
import { Catalog } from '../../../src/universe/catalog.js';
import { decodeTemplate, type PackageDefinition } from '../../../src/universe/model.js';
import { renderAndCheck } from '../../../src/universe/render.js';
import { bundledRepoDir } from '../../../src/universe/repositories.js';

const home = tempHome();
afterAll(() => home.cleanup());
const { ctx } = testActionCtx(home.env);
const catalog = new Catalog(ctx, [{ name: 'bundled', uri: bundledRepoDir() }]);

async function kafka(version = '4.0.0'): Promise<PackageDefinition> {
  const def = (await catalog.candidates('kafka')).map((c) => c.definition).find((d) => d.version === version);
  if (!def) throw new Error(`no kafka ${version} in the bundled universe`);
  return def;
}

async function render(options: Record<string, unknown>, version = '4.0.0'): Promise<Record<string, any>> {
  const definition = await kafka(version);
  const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
  return (await renderAndCheck({ pkg, options: options as never })).app as Record<string, any>;
}

const OFFICIAL = 'https://archive.apache.org/dist/kafka/4.0.0/kafka_2.13-4.0.0.tgz';
// The content of kafka_2.13-4.0.0.tgz.sha512 as Apache published it (gpg --print-md, lower-cased).
const PUBLISHED_SHA512 =
  '00722ab0a6b954e0006994b8d589dcd8f26e1827c47f70b6e820fb45aa35945c19163b0f188caf0caf976c11f7ab005fd368c54e5851e899d2de687a804a5eb9';

describe('kafka 4.0.0', () => {
  it('names the official release tarball with its published sha512 as a URI fragment', async () => {
    const def = await kafka();
    const uris = (def.resource as any)?.assets?.uris;
    expect(uris).toEqual({ 'kafka-dist': `${OFFICIAL}#sha512=${PUBLISHED_SHA512}` });
    expect(PUBLISHED_SHA512).toMatch(/^[0-9a-f]{128}$/);
  });

  it('runs the JVM from the fetched distribution by default, with its data on the persistent volume', async () => {
    const app = await render({});
    expect(app.fetch).toEqual([{ uri: `${OFFICIAL}#sha512=${PUBLISHED_SHA512}`, cache: true, extract: true }]);
    expect(app.container).toEqual({ type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 2048 } }] });
    expect(app.cmd).toContain('-cp "$DIST/libs/*" kafka.Kafka server.properties');
    expect(app.cmd).toContain('DIST="$MESOS_SANDBOX/kafka_2.13-4.0.0"');
    expect(app.cmd).toContain('"log.dirs=$MESOS_SANDBOX/data"');
    expect(app.cmd).not.toMatch(/bin\/kafka-server-start/);
    const opts = await render({ service: { java_home: '/opt/jdk' }, storage: { size_mb: 700 }, kafka: { heap_mb: 300, num_partitions: 3, advertised_host: 'broker.example' } });
    expect(opts.cmd).toContain('JH="/opt/jdk"');
    expect(opts.cmd).toContain('-Xms300m -Xmx300m');
    expect(opts.cmd).toContain("'num.partitions=3'");
    expect(opts.cmd).toContain('ADV="broker.example"');
    expect(opts.container.volumes[0].persistent.size).toBe(700);
  });

  it('with service.runtime container runs the same rendered config in the official image, from its /opt/kafka', async () => {
    const onNode = await render({ kafka: { heap_mb: 300 } });
    const app = await render({ service: { runtime: 'container' }, kafka: { heap_mb: 300 } });
    expect(app.fetch).toBeUndefined();
    expect(app.container.type).toBe('DOCKER');
    expect(app.container.docker.image).toBe('apache/kafka:4.0.0');
    // The volume is `data` in the sandbox, mounted there in the container too: log.dirs is the same.
    expect(app.container.volumes).toEqual([{ containerPath: 'data', mode: 'RW', persistent: { size: 2048 } }]);
    expect(app.cmd).toContain('DIST=/opt/kafka\n');
    expect(app.cmd).not.toContain('kafka_2.13-4.0.0');
    // Apart from where the distribution is, the command is the process runtime's: the image's own
    // start scripts do not run, so the config the template renders is the config that runs.
    expect(app.cmd.replace('DIST=/opt/kafka', '')).toBe(onNode.cmd.replace('DIST="$MESOS_SANDBOX/kafka_2.13-4.0.0"', ''));
    expect(app.cmd).toContain('-Xms300m -Xmx300m');
    expect(app.env ?? {}).toEqual({});
    expect(app.networks).toEqual([{ mode: 'host' }]);
    expect(app.healthChecks).toEqual(onNode.healthChecks);
  });

  it('refuses a runtime it does not know', async () => {
    await expect(render({ service: { runtime: 'vm' } })).rejects.toThrow(/failed validation/);
  });
});

describe('kafka 3.9.0', () => {
  it('names its controller listener by the task host: Kafka 3.9.0 refuses CONTROLLER://0.0.0.0 in combined mode (KAFKA-18281)', async () => {
    const app = await render({}, '3.9.0');
    expect(app.cmd).toContain('KAFKA_LISTENERS="PLAINTEXT://:$PORT0,CONTROLLER://$HOST:$PORT1"');
    expect(app.cmd).not.toContain('0.0.0.0');
  });
});
