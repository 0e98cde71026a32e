/**
 * The bundled redis and zookeeper packages keep their data on their persistent volume: through a
 * rolling `package update`, a SIGKILL of the server, a SIGKILL of the daemon and `cluster up`, and
 * a scale to 0 and back; uninstall destroys the volume. The servers are Debian's redis-server and
 * zookeeper (.ci/run installs them), driven by their own clients (redis-cli, ZooKeeperMain); the
 * cluster is the real daemon started by `dcos cluster up`, and every step is a real CLI command.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCluster, persistenceIds, requireBuild } from '../helpers/cli-cluster.js';
import { isAlive, processesOfAgent, waitFor } from '../helpers/daemon.js';
import type { Json } from './support.js';

const run = promisify(execFile);

function requireInstalled(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's ${pkg} (apt-get install -y ${pkg}), as .ci/run does`);
}

/** A local cluster driven through the CLI (cli-cluster.ts), with what these tests ask of its state. */
function localCluster(env: Record<string, string>) {
  const c = cliCluster({ env, healthyTask: { timeoutMs: 150_000, intervalMs: 200 } });
  return Object.assign(c, {
    /** The persistence ids of the volumes the agent's state reports. */
    async agentVolumes(): Promise<string[]> {
      const state = await c.api(`/slave/${c.agentId}/state.json`);
      return Object.values((state.reserved_resources_full ?? {}) as Record<string, Json[]>)
        .flat()
        .map((r) => r.disk?.persistence?.id)
        .filter(Boolean);
    },
    /** `dcos package list --json`'s entry for the app, if any. */
    async listed(appId: string): Promise<Json | undefined> {
      const r = await c.dcos(['package', 'list', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Json[]).find((p) => p.appId === appId);
    },
  });
}

type Cluster = ReturnType<typeof localCluster>;

/** What differs between the two services: how data is written and read, and which process serves. */
interface DataService {
  name: 'redis' | 'zookeeper';
  sizeMb: number;
  /** What the service keeps at the root of its volume. */
  volumeEntry: string;
  /** An option change for `package update`, and a check that the new task runs with it. */
  update: { options: unknown; applied(c: Cluster, task: Json): Promise<void> };
  /** Writes the stage's datum and returns once it is on the volume. */
  write(c: Cluster, task: Json, stage: string): Promise<void>;
  /** Every datum written so far, as the server answers. */
  expectData(task: Json, stages: string[]): Promise<void>;
  /** The server process of the task. */
  serverPid(c: Cluster, task: Json): Promise<number>;
}

// ------------------------------------------------------------------------------------------------
// redis, with redis-cli

const redisCli = async (task: Json, ...args: string[]): Promise<string> =>
  (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(task.ports[0]), '--raw', ...args], { timeout: 30_000 })).stdout;

/** Every file of the redis volume's append-only dir, as one text. */
function aofText(c: Cluster, task: Json): string {
  const dir = join(c.dataDir, 'volumes', persistenceIds(task)[0], 'appendonlydir');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'latin1'))
    .join('\n');
}

const redis: DataService = {
  name: 'redis',
  sizeMb: 640,
  volumeEntry: 'appendonlydir',
  update: {
    options: { redis: { loglevel: 'verbose' } },
    async applied(_c, task) {
      expect((await redisCli(task, 'CONFIG', 'GET', 'loglevel')).trim().split('\n')).toEqual(['loglevel', 'verbose']);
    },
  },
  async write(c, task, stage) {
    expect((await redisCli(task, 'SET', `k:${stage}`, `v:${stage}`)).trim()).toBe('OK');
    // Redis answers before its append-only file has the write when an fsync is in progress (the
    // "at most a second" of everysec): the SIGKILL steps need it on the volume first.
    await waitFor(() => aofText(c, task).includes(`k:${stage}`), { what: `k:${stage} in the append-only file`, timeoutMs: 15_000, intervalMs: 50 });
  },
  async expectData(task, stages) {
    const values = (await redisCli(task, 'MGET', ...stages.map((s) => `k:${s}`))).replace(/\n$/, '').split('\n');
    expect(values).toEqual(stages.map((s) => `v:${s}`));
  },
  async serverPid(_c, task) {
    // redis-server rewrites its environment for its process title, so it cannot be found by
    // MESOS_TASK_ID: it says its pid itself.
    const pid = Number(/^process_id:(\d+)/m.exec(await redisCli(task, 'INFO', 'server'))?.[1]);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/^redis-server /);
    return pid;
  },
};

// ------------------------------------------------------------------------------------------------
// zookeeper, with ZooKeeper's own client from Debian's jars

/** The -cp of the package's own command: the client comes from the same jars as the server. */
let zkClasspath = '';

async function zkCli(task: Json, ...command: string[]): Promise<string> {
  const args = ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', zkClasspath, 'org.apache.zookeeper.ZooKeeperMain', '-server', `127.0.0.1:${task.ports[0]}`, ...command];
  try {
    const { stdout } = await run('java', args, { timeout: 60_000 });
    // The client prints its connection events first; the answer is the last line.
    return stdout.trim().split('\n').pop() ?? '';
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ZooKeeperMain ${command.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

const zookeeper: DataService = {
  name: 'zookeeper',
  sizeMb: 768,
  volumeEntry: 'version-2',
  update: {
    options: { zookeeper: { max_client_cnxns: 50 } },
    async applied(c, task) {
      const cfg = await c.dcos(['task', 'log', task.id, 'zoo.cfg', '--lines', '100']);
      expect(cfg.exitCode, cfg.stderr).toBe(0);
      expect(cfg.stdout).toMatch(/^maxClientCnxns=50$/m);
    },
  },
  // ZooKeeper answers a create only once its transaction log on the volume is synced.
  async write(_c, task, stage) {
    if (stage === 'install') await zkCli(task, 'create', '/dcos-it', 'kept');
    await zkCli(task, 'create', `/dcos-it/${stage}`, stage);
  },
  async expectData(task, stages) {
    expect(await zkCli(task, 'get', '/dcos-it')).toBe('kept');
    expect(await zkCli(task, 'get', `/dcos-it/${stages[0]}`)).toBe(stages[0]);
    const children = /^\[(.*)\]$/.exec(await zkCli(task, 'ls', '/dcos-it'))?.[1].split(', ');
    expect(children?.sort()).toEqual([...stages].sort());
  },
  async serverPid(c, task) {
    const servers = processesOfAgent(c.agentId).filter((p) => p.taskId === task.id && p.cmdline.includes('org.apache.zookeeper.server.quorum.QuorumPeerMain'));
    expect(servers).toHaveLength(1);
    return servers[0].pid;
  },
};

// ------------------------------------------------------------------------------------------------

async function keepsItsData(c: Cluster, s: DataService): Promise<void> {
  const appId = `/${s.name}`;
  const install = await c.dcos(['package', 'install', s.name, '--options', c.options(`${s.name}-size`, { storage: { size_mb: s.sizeMb } }), '--yes', '--json', '--timeout', '150s']);
  expect(install.exitCode, install.stderr).toBe(0);
  let task = await c.healthyTask(appId, 'installed');
  if (s.name === 'zookeeper') zkClasspath = /-cp (\S+)/.exec((await c.api(`/v2/apps${appId}`)).app.cmd)?.[1] ?? '';
  const [volume] = persistenceIds(task);
  expect(volume).toMatch(new RegExp(`^${s.name}#data#[0-9a-f-]{36}$`));
  expect(c.volumeDirs()).toContain(volume);
  const stages: string[] = [];
  const writeStage = async (stage: string) => {
    await s.write(c, task, stage);
    stages.push(stage);
  };
  /** The task after a step: on the same volume, with every datum written before. */
  const dataKept = async (t: Json) => {
    expect(persistenceIds(t)).toEqual([volume]);
    await s.expectData(t, stages);
  };
  await writeStage('install');

  // The volume's files, its size and its use, as the CLI shows them.
  const ls = await c.dcos(['task', 'ls', task.id, 'data']);
  expect(ls.exitCode, ls.stderr).toBe(0);
  expect(ls.stdout.split('\n')).toContain(s.volumeEntry);
  const listed = await c.listed(appId);
  expect(listed?.volumes).toEqual([expect.objectContaining({ appId, persistenceId: volume, containerPath: 'data', sizeMb: s.sizeMb, state: 'in use', taskId: task.id })]);
  expect(listed?.volumes[0].usedBytes).toBeGreaterThan(0);
  const table = await c.dcos(['package', 'list']);
  expect(table.exitCode, table.stderr).toBe(0);
  expect(table.stdout.split('\n')[0]).toMatch(/\bVOLUMES$/);
  expect(table.stdout).toMatch(new RegExp(`^${s.name}\\s.*\\s1 volume, ${s.sizeMb} MB, [\\d.]+ (B|KB|MB) used$`, 'm'));

  // A changed option: a rolling replacement, a new task on the same volume.
  const update = await c.dcos(['package', 'update', s.name, '--options', c.options(`${s.name}-update`, s.update.options), '--yes', '--json', '--timeout', '150s']);
  expect(update.exitCode, update.stderr).toBe(0);
  const beforeUpdate = task.id;
  task = await c.healthyTask(appId, 'replaced by the update', (t) => t.id !== beforeUpdate);
  await s.update.applied(c, task);
  await dataKept(task);
  await writeStage('update');

  // The server killed: relaunched as a new task on the same volume.
  const killed = await s.serverPid(c, task);
  process.kill(killed, 'SIGKILL');
  const beforeKill = task.id;
  task = await c.healthyTask(appId, `relaunched after SIGKILL of pid ${killed}`, (t) => t.id !== beforeKill);
  expect(isAlive(killed)).toBe(false);
  expect(await s.serverPid(c, task)).not.toBe(killed);
  await dataKept(task);
  await writeStage('kill');

  // The daemon killed and started again: it re-adopts the task, still running on its volume.
  const server = await s.serverPid(c, task);
  const daemon = await c.killDaemon();
  const again = await c.up();
  expect(again).toMatchObject({ started: true });
  expect(again.pid).not.toBe(daemon);
  const adopted = await c.healthyTask(appId, 're-adopted after the daemon restart');
  expect(adopted.id).toBe(task.id);
  expect(await s.serverPid(c, adopted)).toBe(server);
  await dataKept(adopted);
  await writeStage('restart');
  expect((await c.listed(appId))?.volumes).toEqual([expect.objectContaining({ persistenceId: volume, state: 'in use', taskId: task.id })]);

  // Scaled to 0 the volume is suspended, kept; scaled to 1 the new task takes it again.
  const down = await c.dcos(['service', 'scale', s.name, '0', '--json', '--timeout', '60s']);
  expect(down.exitCode, down.stderr).toBe(0);
  expect(await c.tasks(appId)).toEqual([]);
  expect(isAlive(server)).toBe(false);
  const suspended = (await c.listed(appId))?.volumes;
  expect(suspended).toEqual([expect.objectContaining({ persistenceId: volume, sizeMb: s.sizeMb, state: 'suspended' })]);
  expect(suspended[0].taskId).toBeUndefined();
  expect((await c.dcos(['package', 'list'])).stdout).toMatch(new RegExp(`^${s.name}\\s.*\\s1 volume, ${s.sizeMb} MB, .* used, 1 suspended$`, 'm'));
  expect(c.volumeDirs()).toContain(volume);
  const up = await c.dcos(['service', 'scale', s.name, '1', '--json', '--timeout', '150s']);
  expect(up.exitCode, up.stderr).toBe(0);
  const beforeScale = task.id;
  task = await c.healthyTask(appId, 'scaled back to 1', (t) => t.id !== beforeScale);
  await dataKept(task);

  // Uninstall destroys the volume: its directory, and every report of it.
  const lastServer = await s.serverPid(c, task);
  const un = await c.dcos(['package', 'uninstall', s.name, '--yes']);
  expect(un.exitCode, un.stderr).toBe(0);
  expect(c.volumeDirs().filter((d) => d.startsWith(`${s.name}#`))).toEqual([]);
  expect(await c.listed(appId)).toBeUndefined();
  expect(await c.agentVolumes()).not.toContain(volume);
  await waitFor(() => !isAlive(lastServer), { what: `${s.name} server ${lastServer} gone`, timeoutMs: 10_000 });
}

describe('the bundled data services keep their data on their persistent volume', () => {
  const c = localCluster({ DCOS_NODE_DISK: '20000' });

  beforeAll(async () => {
    requireBuild();
    await c.up();
  });
  afterAll(() => c.down(), 60_000);

  it('redis keeps its keys through an update, a SIGKILL, a daemon restart and a scale to 0; uninstall destroys its volume', async () => {
    requireInstalled('/usr/bin/redis-server', 'redis-server');
    requireInstalled('/usr/bin/redis-cli', 'redis-tools');
    await keepsItsData(c, redis);
  }, 600_000);

  it('zookeeper keeps its znodes through an update, a SIGKILL, a daemon restart and a scale to 0; uninstall destroys its volume', async () => {
    requireInstalled('/usr/share/java/zookeeper.jar', 'zookeeper');
    await keepsItsData(c, zookeeper);
  }, 900_000);
});

describe('a persistent volume larger than the free disk of the node', () => {
  const c = localCluster({ DCOS_NODE_DISK: '1000' });

  beforeAll(() => c.up());
  afterAll(() => c.down(), 60_000);

  it('leaves the install waiting, saying why, and creates no volume', async () => {
    const big = c.options('big', { storage: { size_mb: 4096 } });
    // Long enough for the scheduler to have tried to place the task, even on a loaded machine.
    const install = await c.dcos(['package', 'install', 'redis', '--options', big, '--yes', '--timeout', '8s']);
    expect(install.exitCode, install.stderr).toBe(4);
    expect(install.stdout).toBe('');
    const reason = "Not enough disk on this node for a new instance's persistent volumes: needs 4096 MB of volumes, 1000 MB free";
    expect(install.stderr).toContain(`queue: 1 task(s) not placed: ${reason}`);

    const listed = await c.listed('/redis');
    expect(listed).toMatchObject({ status: 'deploying', problem: `1 task(s) waiting to be placed: ${reason}`, tasks: { running: 0, wanted: 1 } });
    expect(listed?.volumes).toBeUndefined();
    const table = await c.dcos(['package', 'list']);
    expect(table.exitCode).toBe(0);
    expect(table.stderr).toContain(`/redis is deploying: 1 task(s) waiting to be placed: ${reason}`);
    expect(await c.tasks('/redis')).toEqual([]);
    expect(c.volumeDirs()).toEqual([]);
    expect(await c.agentVolumes()).toEqual([]);

    const un = await c.dcos(['package', 'uninstall', 'redis', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(c.volumeDirs()).toEqual([]);
  });
});
