/**
 * The bundled spark 3.5.5: the official release tarball with the sha512 Apache publishes, run as
 * JVMs of the node's Java (refused at once below Java 17), or the official image; both runtimes
 * render into a valid app with the same persistent volume.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
const scratch = mkdtempSync(join(tmpdir(), 'dcos-spark-pkg-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  home.cleanup();
});

const OFFICIAL = 'https://archive.apache.org/dist/spark/spark-3.5.5/spark-3.5.5-bin-hadoop3.tgz';

async function latest(): Promise<PackageDefinition> {
  const [definition] = (await catalog.candidates('spark')).map((c) => c.definition);
  expect(definition.version).toBe('3.5.5');
  return definition;
}

async function render(options: Record<string, unknown> = {}) {
  const definition = await latest();
  const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
  return (await renderAndCheck({ pkg, options: options as never })).app as Record<string, any>;
}

/** The rendered command run with a sandbox holding no distribution: only its Java check can pass. */
function runCmd(cmd: string, path = process.env.PATH ?? '') {
  return spawnSync('/bin/sh', ['-c', cmd], { env: { PATH: path, MESOS_SANDBOX: scratch, HOST: '127.0.0.1', PORT0: '1', PORT1: '2' }, encoding: 'utf8', timeout: 30_000 });
}

describe('spark 3.5.5', () => {
  it('names the official release tarball with the sha512 Apache publishes', async () => {
    const uri = (await latest()).resource?.assets?.uris?.['spark-tgz'] ?? '';
    const [url, fragment] = uri.split('#');
    expect(url).toBe(OFFICIAL);
    expect(fragment).toMatch(/^sha512=[0-9a-f]{128}$/);
  });

  it('process runtime (the default): fetches and caches the tarball and runs the JVMs from its jars, not its scripts', async () => {
    const app = await render();
    expect(app.fetch).toEqual([{ uri: (await latest()).resource?.assets?.uris?.['spark-tgz'], cache: true, extract: true, executable: false }]);
    expect(app.container).toEqual({ type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 1024 } }] });
    expect(app.cmd).toContain('-cp "$CP" org.apache.spark.deploy.master.Master');
    expect(app.cmd).toContain('-cp "$CP" org.apache.spark.deploy.worker.Worker');
    expect(app.cmd).toContain('--work-dir "$MESOS_SANDBOX/data/work"');
    expect(app.cmd).not.toMatch(/spark-class|sbin\/|bin\/spark-/);
  });

  it('container runtime: the official image, as root for the same persistent volume, nothing fetched', async () => {
    const app = await render({ service: { runtime: 'container' }, storage: { size_mb: 256 } });
    expect(app.fetch ?? []).toEqual([]);
    expect(app.container).toEqual({
      type: 'DOCKER',
      docker: { image: 'apache/spark:3.5.5', forcePullImage: false, parameters: [{ key: 'user', value: '0' }] },
      volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 256 } }],
    });
    expect(app.cmd).toContain('D=/opt/spark');
    expect(app.cmd).not.toContain('needs Java 17');
  });

  it("takes the master's port and web UI port from the options: 0 lets the cluster assign them", async () => {
    const any = await render();
    expect(any.portDefinitions.map((p: { port: number; name: string }) => [p.name, p.port])).toEqual([['master', 0], ['webui', 0]]);
    expect(any.requirePorts).toBe(false);
    const fixed = await render({ spark: { master_port: 17077, webui_port: 18080 } });
    expect(fixed.portDefinitions.map((p: { port: number }) => p.port)).toEqual([17077, 18080]);
    expect(fixed.requirePorts).toBe(true);
    const uiOnly = await render({ spark: { webui_port: 18080 } });
    expect(uiOnly.portDefinitions.map((p: { port: number }) => p.port)).toEqual([0, 18080]);
    expect(uiOnly.requirePorts).toBe(true);
    // The master binds the task's ports, which are these when they are fixed.
    expect(any.cmd).toContain('--port "$PORT0" --webui-port "$PORT1"');
  });

  it('refuses an unknown runtime', async () => {
    const err = await render({ service: { runtime: 'vm' } }).then(() => undefined, (e: Error) => e);
    expect(String(err?.message) + JSON.stringify(err)).toMatch(/runtime/);
  });

  it('stops at once, saying what it found, when java_home has no Java', async () => {
    const r = runCmd((await render({ service: { java_home: join(scratch, 'nowhere') } })).cmd);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Spark 3\.5\.5 needs Java 17 or newer, but .*nowhere\/bin\/java did not run: .*not found/);
  });

  it('stops at once when the Java found is older than 17, naming its version', async () => {
    const jdk = join(scratch, 'jdk11');
    mkdirSync(join(jdk, 'bin'), { recursive: true });
    writeFileSync(join(jdk, 'bin', 'java'), '#!/bin/sh\necho \'openjdk version "11.0.21" 2023-10-17\' >&2\n');
    chmodSync(join(jdk, 'bin', 'java'), 0o755);
    const r = runCmd((await render({ service: { java_home: jdk } })).cmd);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Spark 3.5.5 needs Java 17 or newer, but ${jdk}/bin/java is Java 11: openjdk version "11.0.21"`);
    // On PATH the same: a Java 8 reports itself as 1.8.
    writeFileSync(join(jdk, 'bin', 'java'), '#!/bin/sh\necho \'openjdk version "1.8.0_392"\' >&2\n');
    const onPath = runCmd((await render()).cmd, `${join(jdk, 'bin')}:/usr/bin:/bin`);
    expect(onPath.stderr).toContain('but java is Java 8');
  });

  it('with a suitable Java it goes past the check and says what is missing', async () => {
    const r = runCmd((await render()).cmd);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`No Spark distribution at ${scratch}/spark-3.5.5-bin-hadoop3`);
  });
});
