/**
 * Runs tasks: reserves resources and ports, fetches, launches the process group, watches it exit,
 * health-checks it, kills it with the app's grace period, and re-adopts live tasks after a daemon
 * restart. Every state change goes through TaskCommits (the store first, then memory) and is
 * announced as a status_update_event once stored. Nothing run from a timer or a process listener
 * throws: a store that cannot be written makes changes wait, and anything else is logged.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ContainerStatus } from '../agent/container-lifecycle.js';
import { taskContainerName } from '../agent/container-run.js';
import { runFailureReason, type ContainerAgent } from '../agent/container-tasks.js';
import { fetchAll, type FetchItem } from '../agent/fetcher.js';
import { killProcessGroup, launchProcess, LaunchError } from '../agent/launcher.js';
import type { PortAllocator } from '../agent/ports.js';
import { findProcessesWithEnv, isSameProcess, processEnvValue, readProcessStart } from '../agent/process-identity.js';
import { sandboxPath } from '../agent/sandbox.js';
import { prepareTaskVolumes } from '../agent/task-volumes.js';
import {
  chownSandbox,
  closePathToSandboxes,
  createSandbox,
  firstClosedAncestor,
  noteInSandbox,
  openPathToAnotherSandbox,
  openPathToSandbox,
  sandboxOfOtherUser,
  STDERR,
  STDOUT,
} from '../agent/task-sandbox.js';
import { resolveTaskUserAsync, userEnvironment, type TaskUser } from '../agent/task-user.js';
import { LaunchBackoff } from '../engine/backoff.js';
import { probeHealth, type ProbeTarget } from '../engine/health-probe.js';
import { HealthState, isHealthy, nextDelayMs } from '../engine/health-tracker.js';
import { markPermanent } from '../../core/task-failure.js';
import { isTerminal, type Task, type TaskState } from '../types.js';
import type { StoredApp } from './app-changes.js';
import { containerImage, containerSpec } from './container-spec.js';
import type { EventBus } from './event-bus.js';
import type { NodeInfo } from './node-info.js';
import type { Reservation, Reservations } from './reservations.js';
import type { ResourcePool } from './resources.js';
import type { ClusterState } from './state.js';
import { taskEnvironment } from './task-env.js';
import { TaskCommits, type TaskChange } from './task-commits.js';
import { servicePorts } from './views.js';

const DEFAULT_KILL_GRACE_SECONDS = 3;
/** Probe interval before a new task's first success, within its grace period. */
const FAST_PROBE_MS = 250;
/** How often tasks adopted from an earlier daemon (not our children) are checked for life. */
const ADOPTED_POLL_MS = 1000;

interface Running {
  child?: import('node:child_process').ChildProcess;
  health: HealthState[];
  healthTimer?: NodeJS.Timeout;
  adoptedTimer?: NodeJS.Timeout;
  abort: AbortController;
  killing?: Promise<void>;
  /** How its processes run, from its start (an adopted task's is worked out again). */
  spec?: TaskProcessSpec;
  /** The command runs through /bin/sh -c, or in a container: exit 126/127 mean it cannot run. */
  shellExitCodes?: boolean;
  /** The launched process has exited (a container that never got to run, say). */
  exited?: boolean;
}

/** How a task's processes run, fixed for its life: its command's, and its COMMAND checks'. */
interface TaskProcessSpec {
  /** The user switched to (the daemon is root), or null: the daemon's own. */
  switchTo: TaskUser | null;
  /** The image of a DOCKER container task. */
  image: string | undefined;
  /** `uid:gid` its container runs as (the app's user). */
  containerUser: string | undefined;
  /** The environment of a plain-process task; a container's CLI runs with it too. */
  env: Record<string, string>;
  /** Who its processes run as, when not the daemon's user: they own its persistent volumes. */
  volumeOwner: TaskUser | null;
}

export interface TaskRunnerDeps {
  state: ClusterState;
  node: NodeInfo;
  ports: PortAllocator;
  resources: ResourcePool;
  /** Persistent-volume reservations of resident apps' instances. */
  reservations: Reservations;
  events: EventBus;
  log: (message: string) => void;
  /** Something changed that may need scheduling work. */
  changed: () => void;
  now: () => number;
  env: NodeJS.ProcessEnv;
  /** The node's container runtime, for DOCKER container apps. */
  containers: ContainerAgent;
}

export class TaskRunner {
  private readonly running = new Map<string, Running>();
  readonly backoff = new Map<string, LaunchBackoff>();
  private readonly pathWarned = new Set<number>();
  /** Active tasks of another user: while there are any, the path to their sandboxes stays open. */
  private readonly pathUsers = new Set<string>();
  /** The path is open, the data dir's other entries having been made private when it was opened. */
  private pathOpen = false;
  /** Every change of a task's state: stored first, then applied. */
  readonly commits: TaskCommits;

  constructor(private readonly d: TaskRunnerDeps) {
    this.commits = new TaskCommits(d.state, d.log, d.now, d.changed);
    this.reservations = d.reservations;
  }

  readonly reservations: Reservations;

  backoffOf(appId: string): LaunchBackoff {
    let b = this.backoff.get(appId);
    if (!b) this.backoff.set(appId, (b = new LaunchBackoff()));
    return b;
  }

  /**
   * Creates a task for the app and starts it in the background; the caller checked resources and
   * took the ports. Throws when the store cannot take the task: nothing is changed then, and the
   * caller gives the ports back.
   */
  launch(app: StoredApp, ports: number[], reservation?: Reservation): Task {
    const now = new Date(this.d.now()).toISOString();
    const id = `${app.id.slice(1).replace(/\//g, '_')}.${randomUUID()}`;
    const task: Task = {
      id,
      appId: app.id,
      version: app.version,
      state: 'TASK_STAGING',
      goal: 'running',
      host: this.d.node.host,
      ports,
      servicePorts: servicePorts(app),
      stagedAt: now,
      startedAt: null,
      pid: null,
      pidStart: null,
      sandbox: sandboxPath(this.d.node.dataDir, this.d.node.agentId, this.d.node.frameworkId, id, randomUUID()),
      message: null,
      exitCode: null,
      finishedAt: null,
      healthCheckResults: [],
      resources: { cpus: app.cpus, mem: app.mem, disk: app.disk, gpus: app.gpus ?? 0 },
      ...(containerImage(app) ? { container: taskContainerName(id) } : {}),
    };
    if (reservation) {
      task.reservationId = reservation.id;
      task.localVolumes = reservation.volumes.map((v) => ({ containerPath: v.containerPath, persistenceId: v.persistenceId }));
    }
    // Stored first: a task the store does not have must not exist in memory either.
    this.commits.create(task);
    this.d.resources.reserve(task.resources);
    this.d.state.tasks.set(id, task);
    this.announce(task);
    const run: Running = { health: [], abort: new AbortController() };
    this.running.set(id, run);
    this.start(task, app, run).catch((err: Error) => this.d.log(`starting task ${id}: ${err.stack ?? String(err)}`));
    return task;
  }

  private async start(task: Task, app: StoredApp, run: Running): Promise<void> {
    try {
      // First of all: whatever fails next, the task has a sandbox with stdout and stderr.
      createSandbox(task.sandbox);
      const spec = this.processSpec(app, task, await taskUserOf(app));
      run.spec = spec;
      const { switchTo, image } = spec;
      // Switching users: the sandbox will be theirs, and reachable by its path.
      if (switchTo) {
        this.openPathFor(task);
        this.warnIfPathClosed(switchTo);
      }
      await fetchAll((app.fetch ?? []) as FetchItem[], {
        sandbox: task.sandbox,
        cacheDir: join(this.d.node.dataDir, 'fetch-cache'),
        signal: run.abort.signal,
      });
      // Handed over once the fetcher (the daemon's user) is done writing, before the task starts.
      if (switchTo) await chownSandbox(task.sandbox, switchTo.uid, switchTo.gid);
      if (run.abort.signal.aborted) return this.finish(task, 'TASK_KILLED', 'Killed before it started');
      const reservation = this.d.reservations.get(task.reservationId);
      if (task.reservationId && !reservation) throw new LaunchError(`The reservation ${task.reservationId} of this instance is gone`);
      const mounts = prepareTaskVolumes({
        sandbox: task.sandbox,
        volumes: app.container?.volumes ?? [],
        persistent: reservation?.volumes ?? [],
        container: image !== undefined,
        // Whoever the task's processes run as owns its persistent volumes.
        owner: spec.volumeOwner,
      });
      let cmd = app.cmd;
      let args = app.args;
      if (image) {
        const c = await this.d.containers.prepare(containerSpec(app, task, this.d.node, spec.containerUser, mounts), {
          stderrFile: join(task.sandbox, STDERR),
          signal: run.abort.signal,
          // Said while it lasts: a deployment waiting on the task shows it.
          pulling: (what) => this.setState(task, { state: 'TASK_STAGING', message: `pulling ${what}` }),
        });
        if (run.abort.signal.aborted) return this.finish(task, 'TASK_KILLED', 'Killed before it started');
        cmd = null;
        args = [c.bin, ...c.args];
      }
      const launched = launchProcess({
        taskId: task.id,
        sandbox: task.sandbox,
        cmd,
        args,
        env: spec.env,
        stdoutFile: join(task.sandbox, STDOUT),
        stderrFile: join(task.sandbox, STDERR),
        // A container's CLI runs as the daemon (it talks to the engine); the container as the user.
        user: image ? null : switchTo,
      });
      run.child = launched.child;
      run.shellExitCodes = image !== undefined || (cmd != null && cmd !== '');
      launched.child.on('error', (err) => this.guard(`task ${task.id}`, () => this.failToStart(task, `Failed to launch: ${err.message}`)));
      launched.child.on('exit', (code, signal) => {
        run.exited = true;
        const over = () => this.guard(`exit of task ${task.id}`, () => this.onExit(task, code, signal));
        // A container outlives its run's process (it runs under the runtime's monitor): it goes
        // first, so its ports and name are free when the task is over (a kill in progress stops
        // and removes it: that is waited for).
        if (task.container) void (run.killing ?? this.d.containers.remove(task.container)).then(over, over);
        else over();
      });
      const started = { pid: launched.pid, pidStart: launched.start };
      // A container task runs once its container does (the run may still be creating it).
      if (task.container && !run.abort.signal.aborted) {
        const status = await this.d.containers.waitRunning(task.container, () => run.exited === true || run.abort.signal.aborted);
        if (!status && !run.exited && !run.abort.signal.aborted) {
          this.setState(task, { ...started, state: 'TASK_KILLING', message: 'Its container did not start running in time' }, () => void this.killGroup(task, app));
          return;
        }
        if (run.exited) return;
      }
      if (run.abort.signal.aborted) {
        // Killed while launching: the process exists now, so stop it properly.
        this.setState(task, { ...started, state: 'TASK_KILLING' }, () => void this.killGroup(task, app));
        return;
      }
      // Running: what it said while staging (pulling its image) is over.
      const said = task.message !== null ? { message: null } : {};
      this.setState(task, { ...started, ...said, startedAt: new Date(this.d.now()).toISOString(), state: 'TASK_RUNNING' }, () => {
        this.backoffOf(app.id).onRunning(this.d.now(), app);
        this.startHealthChecks(task, app, run);
      });
    } catch (err) {
      if (run.abort.signal.aborted) return this.finish(task, 'TASK_KILLED', 'Killed before it started');
      const message = (err as Error).message;
      this.failToStart(task, (err as { permanent?: unknown }).permanent === true ? markPermanent(message) : message);
    }
  }

  /**
   * How the task's processes run. Its environment is the node's and Marathon's (with HOME, USER
   * and LOGNAME of its user, unless a container sets its own).
   */
  private processSpec(app: StoredApp, task: Task, who: { user: TaskUser | null; switchTo: boolean }): TaskProcessSpec {
    const image = app.container?.type === 'DOCKER' ? app.container.docker?.image : undefined;
    return {
      switchTo: who.switchTo ? who.user : null,
      image,
      containerUser: who.user ? `${who.user.uid}:${who.user.gid}` : undefined,
      volumeOwner: image ? who.user : who.switchTo ? who.user : null,
      env: { ...taskEnvironment(app, task, this.d.node, this.d.env), ...(who.user && !image ? userEnvironment(who.user) : {}) },
    };
  }

  /**
   * The task runs as another user: the directories down to its sandbox let it through (0711).
   * The data dir's own files are made private when the first such task opens the path.
   */
  private openPathFor(task: Task): void {
    this.pathUsers.add(task.id);
    if (this.pathOpen) {
      openPathToAnotherSandbox(this.d.node.dataDir, task.sandbox);
    } else {
      openPathToSandbox(this.d.node.dataDir, task.sandbox);
      this.pathOpen = true;
    }
    // Its persistent volumes too: the links in its sandbox lead there.
    for (const v of this.d.reservations.get(task.reservationId)?.volumes ?? []) openPathToAnotherSandbox(this.d.node.dataDir, v.path);
  }

  /** The task is over: with no other task of another user left, the data dir is private (0700) again. */
  private closePathAfter(task: Task): void {
    if (!this.pathUsers.delete(task.id) || this.pathUsers.size > 0) return;
    this.closePath();
  }

  private closePath(): void {
    this.pathOpen = false;
    this.guard('closing the data dir', () => closePathToSandboxes(this.d.node.dataDir));
  }

  /** Once per user: a data dir they cannot reach leaves $MESOS_SANDBOX unusable by its path. */
  private warnIfPathClosed(user: TaskUser): void {
    if (this.pathWarned.has(user.uid)) return;
    this.pathWarned.add(user.uid);
    const closed = firstClosedAncestor(this.d.node.dataDir, user);
    if (closed !== null) {
      this.d.log(
        `tasks running as ${user.name} work in their sandbox, but cannot reach it by its path ($MESOS_SANDBOX): ${closed} is not searchable by ${user.name}; a data dir below searchable directories avoids that`,
      );
    }
  }

  /** Runs a timer's or a listener's work: whatever goes wrong is logged, never thrown at Node. */
  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.d.log(`${what}: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /** A task that never ran: its stdout and stderr say why, as its status does. */
  private failToStart(task: Task, message: string): void {
    if (isTerminal(this.commits.view(task).state)) return;
    noteInSandbox(task.sandbox, `cannot start task: ${message}`);
    this.finish(task, 'TASK_FAILED', message);
  }

  private onExit(task: Task, code: number | null, signal: NodeJS.Signals | null): void {
    const now = this.commits.view(task);
    if (isTerminal(now.state)) return;
    // The task is over when its main process is: whatever it left running in its group goes too,
    // as Mesos tears down a task's container (it would hold ports the task no longer owns).
    killGroupNow(now.pid);
    const run = this.running.get(task.id);
    const [state, message]: [TaskState, string] =
      now.state === 'TASK_KILLING' || now.goal === 'decommissioned' || run?.abort.signal.aborted
        ? ['TASK_KILLED', signal ? `Killed with ${signal}` : 'Killed']
        : code === 0
          ? ['TASK_FINISHED', 'Command exited with status 0']
          : signal
            ? ['TASK_FAILED', `Command terminated with signal ${signal}`]
            : ['TASK_FAILED', exitMessage(code, run, task)];
    this.finish(task, state, message, undefined, { exitCode: code });
  }

  /**
   * A new state (with whatever else changes with it): stored, then applied and announced, then
   * `then`. Returns false when the change waits for the store.
   */
  private setState(task: Task, set: Partial<Task> & { state: TaskState }, then?: () => void): boolean {
    return this.commits.apply(task, {
      set,
      then: () => {
        this.announce(task);
        this.d.changed();
        then?.();
      },
    });
  }

  /**
   * A terminal state: free everything, remember failures, feed the backoff. A task ends as a
   * failure unless it was killed, or `failure` says otherwise (one that never started).
   */
  finish(task: Task, state: TaskState, message: string, failure = state !== 'TASK_KILLED', extra: Partial<Task> = {}): void {
    if (isTerminal(this.commits.view(task).state)) return;
    // Its timers stop now (the process is gone, or never was); its resources and ports are freed
    // once the store has the end, so nothing is handed out twice.
    const run = this.running.get(task.id);
    if (run) {
      clearTimeout(run.healthTimer);
      clearInterval(run.adoptedTimer);
      this.running.delete(task.id);
    }
    const finishedAt = new Date(this.d.now()).toISOString();
    this.commits.apply(task, {
      set: { ...extra, state, message, finishedAt },
      finish: true,
      failure: failure
        ? { appId: task.appId, host: task.host, message, state, taskId: task.id, timestamp: finishedAt, version: task.version, slaveId: this.d.node.agentId }
        : undefined,
      then: () => {
        this.d.resources.release(task.resources);
        this.d.ports.release(task.ports);
        this.closePathAfter(task);
        const app = this.d.state.apps.get(task.appId);
        if (failure && app) this.backoffOf(app.id).onFailure(this.d.now(), app);
        this.announce(task);
        this.d.changed();
      },
    });
  }

  /**
   * Stops a task: TASK_KILLING is stored, then SIGTERM goes to its group, SIGKILL after the app's
   * grace period. The returned promise never rejects; it resolves when the kill is over. While the
   * store cannot be written the kill waits for it, unless `evenIfUnstored` (the daemon is shutting
   * down: the processes go, and the next start works out their state from what it finds).
   * `app` is the definition whose grace period applies, for an app already removed from memory.
   */
  kill(task: Task, decommission = true, opts: { evenIfUnstored?: boolean; app?: StoredApp } = {}): Promise<void> {
    const run = this.running.get(task.id);
    const now = this.commits.view(task);
    if (isTerminal(now.state)) return Promise.resolve();
    const goal: Partial<Task> = decommission && now.goal !== 'decommissioned' ? { goal: 'decommissioned' } : {};
    if (run?.killing || now.pid === null) {
      if (goal.goal) this.commits.apply(task, { set: goal });
      if (run?.killing) return run.killing;
      // Still fetching or launching: the launch sees the abort and ends the task.
      if (run) run.abort.abort();
      else this.finish(task, 'TASK_KILLED', 'Killed');
      return Promise.resolve();
    }
    const app = this.d.state.apps.get(task.appId) ?? opts.app;
    const killing = new Promise<void>((resolve) => {
      let started = false;
      const signal = () => {
        if (started) return;
        started = true;
        void this.killGroup(task, app).then(resolve);
      };
      if (!this.setState(task, { ...goal, state: 'TASK_KILLING' }, signal) && opts.evenIfUnstored) signal();
    });
    if (run) run.killing = killing;
    return killing;
  }

  /** Signals the task's group and waits for it to end; never rejects. */
  private async killGroup(task: Task, app: StoredApp | undefined): Promise<void> {
    const run = this.running.get(task.id);
    if (run) clearTimeout(run.healthTimer);
    const grace = (app?.taskKillGracePeriodSeconds ?? DEFAULT_KILL_GRACE_SECONDS) * 1000;
    const { pid, pidStart } = this.commits.view(task);
    // The container itself: signalling its run's process would leave it running under its monitor.
    if (task.container) {
      const problem = await this.d.containers.stop(task.container, grace / 1000);
      if (problem) this.d.log(`kill of ${task.id}: its container ${task.container} is still there: ${problem}`);
    }
    try {
      const outcome = await killProcessGroup(pid as number, pidStart, grace);
      if (outcome === 'gone' && readProcessStart(pid as number) !== null) {
        this.d.log(`kill of ${task.id}: pid ${pid} is alive but not the task's process (start ${readProcessStart(pid as number)}, recorded ${pidStart})`);
      }
    } catch (err) {
      this.d.log(`killing ${task.id} failed: ${(err as Error).message}`);
    }
    // A run killed while it was still creating its container may have started it meanwhile.
    if (task.container) await this.d.containers.remove(task.container);
    // Our own children also report through 'exit'; adopted ones only end here.
    if (!run?.child) this.guard(`kill of ${task.id}`, () => this.finish(task, 'TASK_KILLED', 'Killed'));
  }

  private startHealthChecks(task: Task, app: StoredApp, run: Running): void {
    if ((app.healthChecks ?? []).length === 0) return;
    this.probeSetup(task, app, run).then(
      (setup) => {
        if (this.running.get(task.id) === run) this.runHealthChecks(task, app, run, setup);
      },
      (err: Error) => this.d.log(`health checks of task ${task.id}: ${err.stack ?? String(err)}`),
    );
  }

  /**
   * What the task's checks run against, fixed for its life: worked out once, not on every (250 ms
   * during the grace period) tick. COMMAND checks run as the task does: as its user, with its
   * environment; a container task's inside its container, as the task (its image's tools, the
   * environment it was started with), the runtime's CLI running as the daemon, as at launch.
   * `commandProblem`: why COMMAND checks cannot run (never as the daemon instead: they fail).
   */
  private async probeSetup(task: Task, app: StoredApp, run: Running): Promise<{ target: ProbeTarget; commandProblem: string | null }> {
    let spec = run.spec;
    let commandProblem: string | null = null;
    if (!spec) {
      // Adopted after a restart: who it runs as is looked up again.
      const who = await resolveTaskUserAsync(app.user);
      if (!who.ok) commandProblem = `cannot run the check as user "${app.user}": ${who.problem}`;
      spec = this.processSpec(app, task, who.ok ? who : { user: null, switchTo: false });
    }
    const runtime = spec.image ? this.d.containers.runtime : null;
    if (spec.image && !runtime) commandProblem ??= `no container runtime answers to run the check in the task's container`;
    const container = runtime ? { bin: runtime.bin, name: taskContainerName(task.id), user: spec.containerUser } : null;
    return { target: { host: task.host, ports: task.ports, env: spec.env, cwd: task.sandbox, user: spec.switchTo, container }, commandProblem };
  }

  private runHealthChecks(task: Task, app: StoredApp, run: Running, { target, commandProblem }: { target: ProbeTarget; commandProblem: string | null }): void {
    const checks = app.healthChecks ?? [];
    const stored = task.healthCheckResults;
    run.health = checks.map((check, i) =>
      stored[i] ? HealthState.fromJSON(check, stored[i]) : new HealthState(check, task.id, task.id),
    );
    // Checked as the task will be once its waiting changes are stored: a kill waiting for the
    // store ends the checks as a stored one does.
    const live = () => this.running.get(task.id) === run && this.commits.view(task).state === 'TASK_RUNNING';
    /** One round of probes; false when the checks are over (the task is going). */
    const tick = async (): Promise<boolean> => {
      if (!live()) return false;
      const startedAt = task.startedAt ? Date.parse(task.startedAt) : null;
      const outcomes = await Promise.all(
        run.health.map((h) =>
          commandProblem && h.check.protocol === 'COMMAND'
            ? { ok: false, cause: commandProblem }
            : probeHealth(h.check, target, (h.check.timeoutSeconds ?? 20) * 1000),
        ),
      );
      if (!live()) return false;
      let kill = false;
      const now = this.d.now();
      const failedChecks: HealthState[] = [];
      outcomes.forEach((outcome, i) => {
        const verdict = run.health[i].record(outcome, now, startedAt);
        if (verdict === 'kill') kill = true;
        if (verdict === 'failed' || verdict === 'kill') failedChecks.push(run.health[i]);
      });
      const results = run.health.map((h) => h.toJSON());
      if (!kill && JSON.stringify(results) === JSON.stringify(this.commits.view(task).healthCheckResults)) return true;
      const cause = results.find((r) => r.lastFailureCause)?.lastFailureCause ?? 'health check failed';
      const message = `Killed as unhealthy: ${cause}`;
      const change: TaskChange = {
        set: kill ? { healthCheckResults: results, message } : { healthCheckResults: results },
        // Kept as the app's last task failure, as Marathon keeps it, so `package list` and the
        // app's JSON tell why its tasks keep being replaced.
        failure: kill
          ? { appId: task.appId, host: task.host, message, state: 'TASK_KILLED', taskId: task.id, timestamp: new Date(now).toISOString(), version: task.version, slaveId: this.d.node.agentId }
          : undefined,
        // Announced once stored.
        then: (before) => {
          // One notion of "alive" for the task, before and after: every check alive (Marathon's).
          const wasAlive = isHealthy(before.healthCheckResults, true);
          const alive = isHealthy(task.healthCheckResults, true);
          if (alive !== wasAlive) {
            this.d.events.emit('health_status_changed_event', { appId: task.appId, instanceId: task.id, taskId: task.id, version: task.version, alive });
          }
          // One per counted failure, naming the check that failed.
          for (const h of failedChecks) {
            this.d.events.emit('failed_health_check_event', { appId: task.appId, taskId: task.id, instanceId: task.id, healthCheck: h.check });
          }
          this.d.changed();
          if (!kill) return;
          this.d.events.emit('unhealthy_instance_kill_event', {
            appId: task.appId, taskId: task.id, instanceId: task.id, version: task.version, reason: cause, host: task.host, slaveId: this.d.node.agentId,
          });
          // The instance is replaced: the goal stays running, so the scheduler launches another.
          void this.kill(task, false).then(() => this.d.changed());
        },
      };
      this.commits.apply(task, change);
      return !kill;
    };
    const next = (delayMs: number): void => {
      run.healthTimer = setTimeout(() => {
        tick().then(
          (again) => {
            if (again && live()) next(this.nextProbeDelay(task, run));
          },
          (err: Error) => {
            // A check that could not run is logged; the checks go on.
            this.d.log(`health check of task ${task.id}: ${err.stack ?? String(err)}`);
            if (live()) next(this.nextProbeDelay(task, run));
          },
        );
      }, delayMs);
      run.healthTimer.unref();
    };
    // The first probe right away: an install waits on it.
    next(100);
  }

  /**
   * The check's interval; but while a task in its grace period has never been healthy, probe every
   * quarter second, so a deployment learns within moments that a new task answers (failures in
   * the grace period are not counted, so this changes nothing else).
   */
  private nextProbeDelay(task: Task, run: Running): number {
    const interval = Math.min(...run.health.map((h) => nextDelayMs(h.check)));
    const started = task.startedAt ? Date.parse(task.startedAt) : this.d.now();
    const grace = Math.min(...run.health.map((h) => (h.check.gracePeriodSeconds ?? 300) * 1000));
    const everHealthy = task.healthCheckResults.some((r) => r.firstSuccess !== null);
    if (!everHealthy && this.d.now() - started < grace) return Math.min(interval, FAST_PROBE_MS);
    return interval;
  }

  /**
   * After a restart: keeps every stored task whose process is still the same one, and ends the
   * others. A task whose pid never reached the store is looked for by its MESOS_TASK_ID. A process
   * of another cluster (this data dir is a copy of its) is neither adopted nor killed.
   */
  recover(containers: Map<string, ContainerStatus> | null = null): void {
    for (const task of [...this.d.state.tasks.values()]) {
      const app = this.d.state.apps.get(task.appId);
      // A container task lives as long as its container: known from the runtime, not a pid.
      if (task.container && containers && this.recoverContainer(task, containers.get(task.container)) === 'over') continue;
      if (task.pid === null && !(task.container && containers)) {
        const [pid] = findProcessesWithEnv('MESOS_TASK_ID', task.id).filter((p) => this.otherCluster(p) === null);
        if (pid !== undefined) {
          this.commits.apply(task, {
            set: {
              pid,
              pidStart: readProcessStart(pid),
              startedAt: task.startedAt ?? new Date(this.d.now()).toISOString(),
              state: task.goal === 'running' ? 'TASK_RUNNING' : task.state,
            },
          });
        }
      }
      const { pid, pidStart } = this.commits.view(task);
      const alive = pid !== null && pidStart !== null && isSameProcess(pid, pidStart);
      this.d.resources.reserve(task.resources);
      this.d.ports.reserve(task.ports);
      const owner = alive ? this.otherCluster(pid as number) : null;
      if (!alive || owner !== null) {
        this.running.set(task.id, { health: [], abort: new AbortController() });
        if (alive) {
          this.d.log(`task ${task.id}: its process ${pid} belongs to cluster ${owner}, not this one (${this.d.node.agentId}); leaving it alone`);
          this.finish(task, 'TASK_LOST', `Its process belongs to another cluster (${owner}): this data dir is a copy of that cluster's`, false);
        } else if (pid === null) {
          // Recorded, then the daemon died before spawning it: not a failure of the app.
          if (task.goal === 'decommissioned') this.finish(task, 'TASK_KILLED', 'Killed before it started');
          else this.finish(task, 'TASK_DROPPED', 'Never started: the cluster daemon stopped before launching it', false);
        } else {
          const killed = task.state === 'TASK_KILLING' || task.goal === 'decommissioned';
          this.finish(task, killed ? 'TASK_KILLED' : 'TASK_FAILED', killed ? 'Killed' : 'The task exited while the cluster daemon was down');
        }
        continue;
      }
      const run: Running = { health: [], abort: new AbortController() };
      this.running.set(task.id, run);
      // An adopted task of another user reaches its sandbox by its path, as it did before.
      if (sandboxOfOtherUser(task.sandbox)) this.guard(`opening the path to ${task.sandbox}`, () => this.openPathFor(task));
      run.adoptedTimer = setInterval(
        () =>
          this.guard(`watching adopted task ${task.id}`, () => {
            if (isSameProcess(pid as number, pidStart as string)) return;
            killGroupNow(pid);
            const now = this.commits.view(task);
            const killed = now.state === 'TASK_KILLING' || now.goal === 'decommissioned';
            // Not our child: its exit status cannot be known.
            this.finish(task, killed ? 'TASK_KILLED' : 'TASK_FAILED', killed ? 'Killed' : 'The task exited (adopted after a daemon restart, so its exit status is unknown)');
          }),
        ADOPTED_POLL_MS,
      );
      run.adoptedTimer.unref();
      const now = this.commits.view(task);
      if (now.state === 'TASK_KILLING' || now.goal === 'decommissioned') void this.killGroup(task, app);
      else if (app && now.state === 'TASK_RUNNING') this.startHealthChecks(task, app, run);
    }
    this.killStrays();
    if (containers) this.removeStrayContainers(containers);
    if (this.pathUsers.size === 0) this.closePath();
  }

  /**
   * A container task after a restart. Its container runs: the task is adopted, watched through
   * its run's process if that is still there, else through the container's first process. Its
   * container is gone or stopped: the task is over (and what is left of the container goes).
   */
  private recoverContainer(task: Task, container: ContainerStatus | undefined): 'adopt' | 'over' {
    const now = this.commits.view(task);
    const cliAlive = now.pid !== null && now.pidStart !== null && isSameProcess(now.pid, now.pidStart);
    if (container?.running && container.pid > 0) {
      if (!cliAlive) {
        this.commits.apply(task, {
          set: {
            pid: container.pid,
            pidStart: readProcessStart(container.pid),
            startedAt: now.startedAt ?? new Date(this.d.now()).toISOString(),
            state: now.goal === 'running' && now.state === 'TASK_STAGING' ? 'TASK_RUNNING' : now.state,
          },
        });
      }
      return 'adopt';
    }
    this.d.resources.reserve(task.resources);
    this.d.ports.reserve(task.ports);
    this.running.set(task.id, { health: [], abort: new AbortController() });
    if (cliAlive) killGroupNow(now.pid);
    if (container) void this.d.containers.remove(container.name).then((problem) => problem && this.d.log(`cannot remove container ${container.name}: ${problem}`));
    const killed = now.state === 'TASK_KILLING' || now.goal === 'decommissioned';
    if (killed) this.finish(task, 'TASK_KILLED', 'Killed');
    else if (now.pid === null && !container) this.finish(task, 'TASK_DROPPED', 'Never started: the cluster daemon stopped before its container ran', false);
    else this.finish(task, 'TASK_FAILED', 'The task exited while the cluster daemon was down (its container is gone)');
    return 'over';
  }

  /** Containers of this agent whose task is not a live one here (a crash at the wrong moment): removed. */
  private removeStrayContainers(containers: Map<string, ContainerStatus>): void {
    const live = new Set([...this.d.state.tasks.values()].filter((t) => !isTerminal(t.state) && t.container).map((t) => t.container));
    for (const container of containers.values()) {
      if (live.has(container.name)) continue;
      this.d.log(`removing container ${container.name} (task ${container.taskId ?? 'unknown'} is not running here)`);
      void this.d.containers.remove(container.name).then((problem) => problem && this.d.log(`cannot remove container ${container.name}: ${problem}`));
    }
  }

  /**
   * Processes of this node's tasks whose task is not a live stored one (a crash at the wrong
   * moment): kill them. A process belongs to the task named by its MESOS_TASK_ID, whatever its
   * process group (a task may start children in groups or sessions of their own).
   */
  private killStrays(): void {
    const live = new Set([...this.d.state.tasks.values()].filter((t) => !isTerminal(t.state)).map((t) => t.id));
    for (const pid of findProcessesWithEnv('DCOS_AGENT_ID', this.d.node.agentId)) {
      const taskId = processEnvValue(pid, 'MESOS_TASK_ID');
      if (taskId !== null && live.has(taskId)) continue;
      this.d.log(`killing stray task process ${pid} (task ${taskId ?? 'unknown'} is not running here)`);
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue;
      }
      const start = readProcessStart(pid);
      setTimeout(() => {
        if (start !== null && isSameProcess(pid, start)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
      }, DEFAULT_KILL_GRACE_SECONDS * 1000).unref();
    }
  }

  /**
   * The other cluster a live process is a task of, by the DCOS_AGENT_ID it was started with; null
   * when it is this one's, or when that cannot be read (no /proc, or the task replaced its
   * environment): the pid and start time recorded for it in this cluster's store then decide
   * alone, as they always did.
   */
  private otherCluster(pid: number): string | null {
    const owner = processEnvValue(pid, 'DCOS_AGENT_ID');
    return owner === null || owner === this.d.node.agentId ? null : owner;
  }

  private announce(task: Task): void {
    this.d.events.emit('status_update_event', {
      slaveId: this.d.node.agentId,
      taskId: task.id,
      taskStatus: task.state,
      message: task.message ?? '',
      appId: task.appId,
      host: task.host,
      ipAddresses: [{ ipAddress: this.d.node.host, protocol: 'IPv4' }],
      ports: task.ports,
      version: task.version,
    });
  }

  /** Stops timers (daemon shutdown leaves tasks running). */
  detach(): void {
    this.commits.stop();
    for (const run of this.running.values()) {
      clearTimeout(run.healthTimer);
      clearInterval(run.adoptedTimer);
      run.child?.unref();
    }
  }
}

/**
 * A non-zero exit. Through a shell (or a container runtime, which follows its convention), 127
 * means the command was not found and 126 that it could not be executed: the next task of the app
 * would run the same command, so the failure is marked permanent.
 */
function exitMessage(code: number | null, run: Running | undefined, task: Task): string {
  const message = `Command exited with status ${code}`;
  if (!run?.shellExitCodes) return message;
  // 125: the runtime could not run the container; its own words are in the task's stderr.
  if (code === 125 && task.container) {
    const reason = runFailureReason(join(task.sandbox, STDERR));
    if (reason) return `${message}: the container runtime could not run the container: ${reason}`;
  }
  if (code === 127) return markPermanent(`${message}: the command was not found`);
  if (code === 126) return markPermanent(`${message}: the command could not be executed`);
  return message;
}

/** SIGKILL to what is left of a task's process group (nothing to do if it is already gone). */
function killGroupNow(pid: number | null): void {
  if (pid === null || pid <= 1) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already empty
  }
}

/**
 * Who the app's tasks run as. Checked when the app was submitted, and again here: the user may
 * have been removed from the node since (or the daemon restarted without root).
 */
async function taskUserOf(app: StoredApp): Promise<{ user: TaskUser | null; switchTo: boolean }> {
  const who = await resolveTaskUserAsync(app.user);
  if (!who.ok) throw new LaunchError(`Cannot run the task as user "${app.user}": ${who.problem}`, { permanent: true });
  return who;
}
