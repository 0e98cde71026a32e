/**
 * The bundled cassandra 5.0.9: the official release tarball with its published sha512 (the tests
 * run an assembled copy, so this is the only check of the URI users get), a process runtime whose
 * command checks the node's Java and renders the config it runs with, and a container runtime
 * that renders a valid app on the same volume.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const scratch = mkdtempSync(join(tmpdir(), 'dcos-cassandra-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  home.cleanup();
});

/**
 * The sha512 Apache publishes next to the tarball (`.sha512`), as the official cassandra:5.0.9 image's
 * Dockerfile pins it (CASSANDRA_SHA512, checked with `sha512sum --check` against that download).
 */
const OFFICIAL_SHA512 = 'beaf3df6342ef1a0ccc83fa80214f250b32c35cfbb1af591b00e3fd539eef0915bc3b89f0e7ae73f6d50cbb03f6075c4e4cf32d3c46ff9c33f745542fcc925df';
const OFFICIAL_URI = 'https://archive.apache.org/dist/cassandra/5.0.9/apache-cassandra-5.0.9-bin.tar.gz';

async function revision(version: string): Promise<PackageDefinition> {
  const found = (await catalog.candidates('cassandra')).map((c) => c.definition).find((d) => d.version === version);
  if (!found) throw new Error(`no cassandra ${version}`);
  return found;
}

async function render(options: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const definition = await revision('5.0.9');
  const pkg = { definition, repository: { name: 'bundled', uri: 'bundled' }, sourceUri: 'file:///bundled', template: decodeTemplate(definition) };
  return (await renderAndCheck({ pkg, options: options as never })).app;
}

/** Runs the process runtime's command as the agent would, with `java` standing in for the JVM. */
/** Runs the command in a sandbox of its own; `withDist`: one holding the extracted distribution's lib/ (its jamm agent). */
function runCmd(cmd: string, env: Record<string, string>, withDist = false) {
  const sandbox = mkdtempSync(join(scratch, 'sandbox-'));
  if (withDist) {
    mkdirSync(join(sandbox, 'apache-cassandra-5.0.9', 'lib'), { recursive: true });
    writeFileSync(join(sandbox, 'apache-cassandra-5.0.9', 'lib', 'jamm-0.4.0.jar'), '');
  }
  const result = spawnSync('/bin/sh', ['-c', cmd], {
    env: { PATH: '/usr/bin:/bin', MESOS_SANDBOX: sandbox, HOST: '127.0.0.1', PORT0: '31000', PORT1: '31001', PORT2: '31002', ...env },
    encoding: 'utf8',
  });
  return { ...result, sandbox };
}

/** A java_home whose bin/java says it is `version` and, run otherwise, prints its arguments. */
function fakeJava(version: string): string {
  const dir = mkdtempSync(join(scratch, 'jdk-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'java'), `#!/bin/sh\nif [ "$1" = -version ]; then echo 'openjdk version "${version}" 2025-04-15' >&2; exit 0; fi\nprintf '%s\\n' "$@"\n`);
  chmodSync(join(dir, 'bin', 'java'), 0o755);
  return dir;
}

describe('cassandra 5.0.9', () => {
  it('names the official release tarball with the sha512 Apache publishes for it', async () => {
    const definition = await revision('5.0.9');
    expect(definition.resource?.assets?.uris?.cassandra).toBe(`${OFFICIAL_URI}#sha512=${OFFICIAL_SHA512}`);
  });

  it('by default fetches it (cached) and runs the JVM on the persistent volume, with no container', async () => {
    const app = await render();
    expect(app.fetch).toEqual([{ uri: `${OFFICIAL_URI}#sha512=${OFFICIAL_SHA512}`, extract: true, cache: true }]);
    expect(app.container).toEqual({ type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 4096 } }] });
    expect(app.cmd).toContain('org.apache.cassandra.service.CassandraDaemon');
    expect(app.upgradeStrategy).toEqual({ minimumHealthCapacity: 0, maximumOverCapacity: 0 });
  });

  it('with service.runtime container runs the same rendered config in the official image, from its /opt/cassandra', async () => {
    const onNode = await render({ cassandra: { max_heap_mb: 768 } });
    const app = await render({ service: { runtime: 'container' }, cassandra: { max_heap_mb: 768 } });
    expect(app.fetch).toBeUndefined();
    expect(app.container).toEqual({
      type: 'DOCKER',
      docker: { image: 'cassandra:5.0.9', forcePullImage: false, parameters: [{ key: 'user', value: '0' }] },
      volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 4096 } }],
    });
    expect(app.networks).toEqual([{ mode: 'host' }]);
    // Apart from where the distribution is, the command is the process runtime's: the image's
    // entrypoint does not run, so the cassandra.yaml the template renders is the one that runs.
    expect(app.cmd).toContain('DIST=/opt/cassandra\n');
    expect(app.cmd).not.toContain('apache-cassandra-5.0.9"');
    expect(app.cmd.replace('DIST=/opt/cassandra', '')).toBe(onNode.cmd.replace('DIST="$MESOS_SANDBOX/apache-cassandra-5.0.9"', ''));
    expect(app.cmd).toContain('-Xms768m -Xmx768m');
    expect(app.env ?? {}).toEqual({});
    // The same probe as the process runtime: bash's /dev/tcp, no cqlsh (it would need python).
    expect(app.healthChecks).toEqual(onNode.healthChecks);
  });

  it('takes its ports from the options: 0 lets the cluster assign them, a fixed one makes the app require its ports', async () => {
    const any = await render();
    expect(any.portDefinitions.map((p: { port: number; name: string }) => [p.name, p.port])).toEqual([['cql', 0], ['storage', 0], ['jmx', 0]]);
    expect(any.requirePorts).toBe(false);
    for (const [option, index] of [['cql_port', 0], ['storage_port', 1], ['jmx_port', 2]] as const) {
      const fixed = await render({ cassandra: { [option]: 19042 } });
      expect(fixed.portDefinitions[index].port, option).toBe(19042);
      expect(fixed.portDefinitions.filter((p: { port: number }) => p.port === 0), option).toHaveLength(2);
      expect(fixed.requirePorts, option).toBe(true);
    }
    // The yaml takes the task's ports, which are these when they are fixed.
    expect(any.cmd).toContain('native_transport_port: $PORT0\n');
    expect(any.cmd).toContain('storage_port: $PORT1\n');
    await expect(render({ cassandra: { cql_port: 70000 } })).rejects.toThrow(/failed validation/);
  });

  it('refuses at once a java_home with no java, naming where it looked (127: not found)', async () => {
    const r = runCmd((await render({ service: { java_home: '/nonexistent/jdk' } })).cmd, {});
    expect(r.status).toBe(127);
    expect(r.stderr).toContain('Cassandra 5.0.9 needs Java 17 or newer: found no /nonexistent/jdk/bin/java.');
  });

  it('refuses at once a node with no java on its PATH', async () => {
    const r = runCmd((await render()).cmd, { PATH: scratch });
    expect(r.status).toBe(127);
    expect(r.stderr).toContain(`Cassandra 5.0.9 needs Java 17 or newer: found no java on PATH (${scratch}).`);
  });

  it('refuses a Java older than 17, saying what it found', async () => {
    for (const version of ['11.0.22', '1.8.0_392']) {
      const jdk = fakeJava(version);
      const r = runCmd((await render({ service: { java_home: jdk } })).cmd, {});
      expect(r.status, version).toBe(1);
      expect(r.stderr).toContain(`Cassandra 5.0.9 needs Java 17 or newer, and ${jdk}/bin/java is: openjdk version "${version}" 2025-04-15.`);
    }
  });

  it('stops at once, saying so, when the distribution is not where the runtime puts it', async () => {
    const r = runCmd((await render({ service: { java_home: fakeJava('17.0.15') } })).cmd, {});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`No Cassandra distribution at ${r.sandbox}/apache-cassandra-5.0.9: it has no lib/ directory`);
  });

  it('on Java 17 or newer runs CassandraDaemon with the cassandra.yaml it rendered from the options and ports', async () => {
    for (const version of ['17.0.15', '21']) {
      const jdk = fakeJava(version);
      const cmd = (await render({ service: { java_home: jdk }, cassandra: { cluster_name: 'Test Cluster', num_tokens: 8, max_heap_mb: 600, dc: 'east' } })).cmd;
      const r = runCmd(cmd, {}, true);
      expect(r.status, r.stderr).toBe(0);
      const args = r.stdout.trim().split('\n');
      expect(args).toContain(`-javaagent:${r.sandbox}/apache-cassandra-5.0.9/lib/jamm-0.4.0.jar`);
      expect(args.slice(0, 2)).toEqual(['-Xms600m', '-Xmx600m']);
      expect(args).toEqual(expect.arrayContaining(['--add-exports', 'java.base/jdk.internal.misc=ALL-UNNAMED', '-Dcassandra-foreground=yes', '-Dcassandra.jmx.local.port=31002']));
      expect(args).toContain(`-Dcassandra.config=file://${r.sandbox}/conf/cassandra.yaml`);
      expect(args.slice(-3)).toEqual(['-cp', `${r.sandbox}/conf:${r.sandbox}/apache-cassandra-5.0.9/lib/*`, 'org.apache.cassandra.service.CassandraDaemon']);
      const yaml = readFileSync(join(r.sandbox, 'conf', 'cassandra.yaml'), 'utf8');
      expect(yaml).toContain("cluster_name: 'Test Cluster'\nnum_tokens: 8\n");
      expect(yaml).toContain('native_transport_port: 31000\n');
      expect(yaml).toContain('storage_port: 31001\n');
      expect(yaml).toContain('- seeds: "127.0.0.1:31001"');
      expect(yaml).toContain(`data_file_directories:\n  - ${r.sandbox}/data/data\ncommitlog_directory: ${r.sandbox}/data/commitlog\nhints_directory: ${r.sandbox}/data/hints\nsaved_caches_directory: ${r.sandbox}/data/saved_caches\n`);
      expect(readFileSync(join(r.sandbox, 'conf', 'cassandra-rackdc.properties'), 'utf8')).toBe('dc=east\nrack=rack1\n');
    }
  });

  it('upgrades from the image revisions (same volume, same layout) and refuses downgrades', async () => {
    const definition = await revision('5.0.9');
    expect(definition.upgradesFrom).toEqual(['4.1.5', '5.0.2']);
    expect(definition.downgradesTo).toEqual([]);
  });
});
