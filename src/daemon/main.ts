/**
 * The embedded cluster daemon: a Marathon-compatible scheduler and Mesos-like agent on this
 * machine, serving its API on loopback. Started by `dcos cluster up` (or on first use); the CLI
 * talks to it over HTTP only.
 *
 *   node dist/daemon/main.js --data-dir <dir> [--port <p>] [--name <n>]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ContainerAgent } from './agent/container-tasks.js';
import { PortAllocator } from './agent/ports.js';
import { ReadinessTracker } from './model/readiness.js';
import { findProcessesWithEnv, processEnvValue, readProcessStart } from './agent/process-identity.js';
import { createHttpServer, Router } from './api/http.js';
import { marathonRoutes } from './api/marathon-routes.js';
import { mesosRoutes, rewritePath } from './api/mesos-routes.js';
import { Cluster } from './model/cluster.js';
import { EventBus } from './model/event-bus.js';
import type { NodeInfo } from './model/node-info.js';
import { Reservations } from './model/reservations.js';
import { ResourcePool } from './model/resources.js';
import { SchedulingLoop } from './model/scheduling-loop.js';
import { ClusterState } from './model/state.js';
import { TaskRunner } from './model/task-runner.js';
import { DataDirRefused, openClusterStore, type ClusterIdentity } from './identity.js';
import { installCrashHandlers } from './crash-handlers.js';
import { acquireLock, releaseLock } from './lock.js';
import { makePrivate } from './private-files.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { ALREADY_RUNNING_EXIT_CODE, CANNOT_LISTEN_EXIT_CODE, RECOVERY_PREFIX, REFUSED_EXIT_CODE, REFUSED_PREFIX } from '../core/daemon-exit.js';
import { dirKey } from '../core/dir-key.js';
import { readTokenFile } from '../core/token-file.js';

declare const __DCOS_VERSION__: string | undefined;
const VERSION = typeof __DCOS_VERSION__ === 'string' ? __DCOS_VERSION__ : 'dev';

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

function numberEnv(name: string): number | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : Number(v);
}

function range(text: string, what: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (!m || Number(m[1]) > Number(m[2])) throw new Error(`${what} must look like 31000-32000, got "${text}"`);
  return [Number(m[1]), Number(m[2])];
}

/** SIGTERM, then SIGKILL after 3 s, to every live process of the given tasks of this node. */
async function sweepTaskProcesses(agentId: string, taskIds: ReadonlySet<string>, log: (m: string) => void): Promise<number> {
  const pids = findProcessesWithEnv('DCOS_AGENT_ID', agentId).filter((pid) => taskIds.has(processEnvValue(pid, 'MESOS_TASK_ID') ?? ''));
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') log(`cannot stop process ${pid}: ${(err as Error).message}`);
    }
  }
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && pids.some((pid) => readProcessStart(pid) !== null)) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids) {
    if (readProcessStart(pid) === null) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return pids.length;
}

/** The token in the file, or '' when there is none to use (missing, empty, unreadable: said why). */
function usableToken(file: string, log: (m: string) => void): string {
  const { token, problem } = readTokenFile(file);
  if (problem && problem.kind !== 'missing') log(`${problem.message}: writing a new token`);
  return token ?? '';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
      name: { type: 'string', default: 'local' },
      ports: { type: 'string', default: process.env.DCOS_AGENT_PORTS ?? '20000-32999' },
      'service-ports': { type: 'string', default: '10000-19999' },
      // The port was remembered, not chosen by the user: take a free one if it is taken now.
      'port-fallback': { type: 'boolean', default: false },
      // Run privileged containers (container.docker.privileged); refused otherwise.
      'allow-privileged': { type: 'boolean', default: false },
    },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  // Which directory this daemon serves (a copy of it has another key).
  const dir = dirKey(dataDir);
  const lockFile = join(dataDir, 'daemon.lock');
  const lock = acquireLock(lockFile, dir);
  if (!lock.ok) {
    // The data dir is that daemon's: its modes included.
    log(`another daemon (pid ${lock.owner.pid}) already serves ${dataDir}`);
    process.exit(ALREADY_RUNNING_EXIT_CODE);
  }
  // Before the store opens: an older version's state.db may be readable by others.
  makePrivate(dataDir);
  // Asked while the store opens: which runtime runs containers here, said in the log at start.
  const allowPrivileged = values['allow-privileged'] === true || /^(1|true|yes)$/i.test(process.env.DCOS_ALLOW_PRIVILEGED ?? '');
  const containersReady = ContainerAgent.start(process.env, log, { allowPrivileged });

  let identity: ClusterIdentity;
  try {
    identity = openClusterStore(dataDir, log);
  } catch (err) {
    if (!(err instanceof DataDirRefused)) throw err;
    // Both lines are what `dcos cluster up` shows, found by their prefixes.
    log(`${REFUSED_PREFIX}${err.found}`);
    log(`${RECOVERY_PREFIX}${err.recovery}`);
    releaseLock(lockFile);
    process.exit(REFUSED_EXIT_CODE);
  }
  const { store, agentId, frameworkId, masterId } = identity;

  // A copy of the data dir is another cluster: it must not answer to the original's token.
  // So is a token file that is missing, empty or unreadable: a new token replaces it (what the
  // CLI's hint for those cases promises), and clients read the new one.
  const tokenFile = join(dataDir, 'token');
  let token = identity.copiedFrom ? '' : usableToken(tokenFile, log);
  if (token === '') {
    token = randomBytes(24).toString('hex');
    writeFileAtomic(tokenFile, token + '\n', 0o600);
  }
  // Again now that SQLite has made its -wal and -shm files.
  makePrivate(dataDir);

  let disk = 0;
  try {
    const fs = statfsSync(dataDir);
    disk = Math.floor((fs.bavail * fs.bsize) / 1024 / 1024);
  } catch {
    disk = 10_000;
  }
  const resources = {
    cpus: numberEnv('DCOS_NODE_CPUS') ?? cpus().length,
    mem: numberEnv('DCOS_NODE_MEM') ?? Math.floor(totalmem() / 1024 / 1024),
    disk: numberEnv('DCOS_NODE_DISK') ?? disk,
    gpus: 0,
  };
  const state = new ClusterState(store);
  const events = new EventBus();
  const pool = new ResourcePool(resources);
  const reservations = new Reservations(store, pool, dataDir, log);
  const portRange = range(values.ports as string, '--ports');
  const ports = new PortAllocator(portRange[0], portRange[1]);

  const router = new Router();
  const server = createHttpServer({ token, rewrite: rewritePath, router, log });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const requestedPort = Number(values.port);
  try {
    await listen(requestedPort);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && values['port-fallback'] && requestedPort !== 0) {
      log(`port ${requestedPort} is taken now; listening on a free one`);
      await listen(0);
    } else if (code === 'EADDRINUSE' || code === 'EACCES') {
      log(`cannot listen on 127.0.0.1:${requestedPort}: ${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}`);
      process.exit(CANNOT_LISTEN_EXIT_CODE);
    } else {
      throw err;
    }
  }
  const port = (server.address() as import('node:net').AddressInfo).port;

  const node: NodeInfo = {
    name: values.name as string,
    dataDir,
    host: '127.0.0.1',
    // The agent is known by the address its tasks are reached at, as a Mesos agent is by the
    // hostname Marathon gives its tasks as `host`: one address for a task everywhere.
    hostname: '127.0.0.1',
    agentId,
    frameworkId,
    masterId,
    resources,
    portRange,
    servicePortRange: range(values['service-ports'] as string, '--service-ports'),
    startedAt: Date.now(),
    url: `http://127.0.0.1:${port}`,
    version: VERSION,
    allowPrivileged,
  };
  const containers = await containersReady;
  node.containerRuntime = containers.describe();
  let scheduler: SchedulingLoop | undefined;
  const runner = new TaskRunner({
    state,
    node,
    ports,
    resources: pool,
    reservations,
    events,
    log,
    changed: () => scheduler?.kick(),
    now: Date.now,
    env: process.env,
    containers,
  });
  const readiness = new ReadinessTracker((id) => state.tasks.get(id), () => scheduler?.kick());
  scheduler = new SchedulingLoop({ state, runner, readiness, resources: pool, reservations, ports, events, node, now: Date.now, log });
  const cluster = new Cluster(state, node, runner, scheduler, events, Date.now, readiness);
  // The containers of this agent as the runtime has them: live ones are re-adopted, the rest go.
  const survey = await containers.survey(agentId);
  if (containers.runtime && !survey) log('the container runtime did not list its containers: container tasks are judged by their processes only');
  runner.recover(survey);

  let shuttingDown = false;
  const shutdown = async (stopTasks: boolean): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(stopTasks ? 'stopping every task, then the daemon' : 'stopping the daemon (tasks keep running)');
    scheduler?.stop();
    if (stopTasks) {
      const tasks = [...state.tasks.values()];
      // Stopped even if the store cannot record it now: the next start finds them gone.
      const outcomes = await Promise.allSettled(tasks.map((t) => runner.kill(t, true, { evenIfUnstored: true })));
      const failed = outcomes.filter((o) => o.status === 'rejected').length;
      log(`stopped ${tasks.length} task(s)${failed ? `; ${failed} kill(s) failed` : ''}`);
      // Belt and braces: any process still carrying one of those tasks' ids goes too.
      const left = await sweepTaskProcesses(agentId, new Set(tasks.map((t) => t.id)), log);
      if (left > 0) log(`killed ${left} leftover task process(es)`);
      const leftContainers = await containers.removeAll(agentId, log);
      if (leftContainers > 0) log(`removed ${leftContainers} leftover container(s)`);
    }
    // Changes still waiting for the store get a last try.
    runner.commits.flush();
    if (runner.commits.backlog > 0) log(`changes of ${runner.commits.backlog} task(s) could not be stored; the next start works their state out again from their processes`);
    runner.detach();
    server.close();
    store.close();
    rmSync(join(dataDir, 'daemon.json'), { force: true });
    releaseLock(lockFile);
    process.exit(0);
  };

  marathonRoutes(router, cluster);
  mesosRoutes(router, cluster, () => pool.usedResources());
  router.on('POST', '/dcos-local/shutdown', (req) => {
    const stopTasks = req.query.get('stopTasks') !== 'false';
    setImmediate(() => void shutdown(stopTasks));
    return { status: 202, body: { message: stopTasks ? 'Stopping every task, then the daemon' : 'Stopping the daemon' } };
  });
  router.on('GET', '/dcos-local/status', () => ({
    body: {
      name: node.name,
      pid: process.pid,
      url: node.url,
      dataDir,
      version: VERSION,
      startedAt: new Date(node.startedAt).toISOString(),
      apps: state.apps.size,
      tasks: state.tasks.size,
      deployments: state.deployments.size,
      resources: { total: resources, used: pool.usedResources() },
      portsInUse: ports.inUse(),
      // Tasks whose changes wait for a store that cannot be written now.
      tasksWaitingForStore: runner.commits.backlog,
      containerRuntime: node.containerRuntime ?? null,
      allowPrivileged,
    },
  }));

  process.on('SIGTERM', () => void shutdown(false));
  process.on('SIGINT', () => void shutdown(false));
  const daemonFile = {
    pid: process.pid,
    // Which directory this daemon serves: a copied daemon.json names another one.
    dir,
    start: readProcessStart(process.pid),
    port,
    url: node.url,
    name: node.name,
    startedAt: new Date(node.startedAt).toISOString(),
    version: VERSION,
  };
  writeFileAtomic(join(dataDir, 'daemon.json'), JSON.stringify(daemonFile, null, 2) + '\n', 0o600);
  scheduler.kick();
  log(`serving ${node.url} for ${dataDir} (pid ${process.pid}); ${state.tasks.size} task(s) recovered`);
}

installCrashHandlers(process, log, (code) => process.exit(code));

main().catch((err) => {
  log(`fatal: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
