// RestartApplication as a pure step function: Marathon's TaskReplaceActor, driven by snapshots.
//
// The caller calls `planRestart` once when the step starts and again after every task or health
// event of the app, passing back the `state` it got last time. Each call answers what to do *now*:
// decommission (set goal, SIGTERM) the `kill` ids, queue `launch` more tasks at the new version, and
// whether the step is `done`. A new task that dies keeps its goal "running" and is relaunched by the
// scheduler's normal replacement (with backoff); this function never counts it as a launch.

export interface RestartOldInstance {
  id: string;
  /** Goal running and (no health checks, or currently healthy): Marathon's `consideredHealthy`. */
  healthy: boolean;
  terminal: boolean;
  /** False once decommissioned (killed by this step or earlier). */
  goalRunning: boolean;
}

export interface RestartNewInstance {
  id: string;
  /** With health checks: every check alive. Without: the task reached TASK_RUNNING. */
  healthy: boolean;
  /** The readiness check passed, or the app has none (then the same as `healthy`). */
  ready: boolean;
  terminal: boolean;
}

export interface RestartInput {
  /** Instances of the new version. */
  n: number;
  minHealthCapacity: number;
  maxOverCapacity: number;
  /** The app has persistent volumes. */
  resident: boolean;
  /** Tasks of other versions, including decommissioned ones that are not gone yet. */
  oldInstances: RestartOldInstance[];
  /** Tasks at the new version whose goal is running. */
  newInstances: RestartNewInstance[];
  /** What the previous call returned; omit on the first call. */
  state?: RestartState;
}

/** Plain data (JSON-safe), so the caller may persist it with the deployment. */
export interface RestartState {
  maxCapacity: number;
  /** Old instances still to kill, in kill order (unhealthy first). */
  toKill: string[];
  /** Old instances that had goal running at the start and are not terminal yet (killed or not). */
  oldActive: string[];
  /** New instances started or queued by this step (or found already started). */
  started: number;
  /** New instances seen healthy / ready; an instance leaves these only when it dies. */
  healthy: string[];
  ready: string[];
  /** New instances that already paid for one old kill by becoming healthy and ready. */
  credited: string[];
  done: boolean;
}

export interface RestartStep {
  kill: string[];
  launch: number;
  done: boolean;
  /** True on the first call only: a restart starts with no launch delay. */
  resetBackoff: boolean;
  state: RestartState;
}

/** `computeRestartStrategy`: how many to kill at once, and the most instances allowed alive. */
export function restartStrategy(input: {
  n: number;
  minHealthCapacity: number;
  maxOverCapacity: number;
  resident: boolean;
  healthyNow: number;
  currentInstances: number;
}): { minHealthy: number; maxCapacity: number; killNow: number } {
  const { n, resident, healthyNow, currentInstances } = input;
  const minHealthy = Math.ceil(n * input.minHealthCapacity);
  let maxCapacity = Math.floor(n * (1 + input.maxOverCapacity));
  let killNow = Math.max(0, healthyNow - minHealthy);
  if (minHealthy === maxCapacity && maxCapacity <= healthyNow) {
    // Without room for one extra instance nothing could ever start.
    if (resident) killNow = healthyNow - minHealthy + 1;
    else maxCapacity += 1;
  }
  // Leftovers of an aborted or forced deployment go at once.
  if (n < currentInstances) killNow = Math.max(currentInstances - n, killNow);
  return { minHealthy, maxCapacity, killNow };
}

export function planRestart(input: RestartInput): RestartStep {
  const first = input.state === undefined;
  const state = input.state ? cloneState(input.state) : initialState(input);
  const kill: string[] = [];
  if (state.done || input.n <= 0) {
    state.done = true;
    return { kill, launch: 0, done: true, resetBackoff: false, state };
  }
  const old = new Map(input.oldInstances.map((instance) => [instance.id, instance]));
  const healthy = new Set(state.healthy);
  const ready = new Set(state.ready);
  const credited = new Set(state.credited);
  const killNext = (): void => {
    const id = state.toKill.shift();
    const instance = id === undefined ? undefined : old.get(id);
    // An instance that is already gone or decommissioned still uses up its turn, as in Marathon.
    if (instance?.goalRunning) kill.push(instance.id);
  };

  if (first) {
    const strategy = restartStrategy({
      n: input.n,
      minHealthCapacity: input.minHealthCapacity,
      maxOverCapacity: input.maxOverCapacity,
      resident: input.resident,
      healthyNow: countHealthy(input),
      currentInstances: countCurrent(input),
    });
    state.maxCapacity = strategy.maxCapacity;
    for (let i = 0; i < strategy.killNow; i += 1) killNext();
  }

  for (const instance of input.newInstances) {
    if (instance.terminal) {
      healthy.delete(instance.id);
      ready.delete(instance.id);
      credited.delete(instance.id);
      continue;
    }
    if (instance.healthy) healthy.add(instance.id);
    if (instance.ready) ready.add(instance.id);
  }
  // An old instance that died on its own is decommissioned rather than relaunched.
  state.oldActive = state.oldActive.filter((id) => {
    const instance = old.get(id);
    if (instance && !instance.terminal) return true;
    if (instance?.goalRunning) kill.push(id);
    return false;
  });
  // Each new instance that becomes healthy and ready pays for one old kill.
  for (const id of healthy) {
    if (!ready.has(id) || credited.has(id)) continue;
    credited.add(id);
    killNext();
  }

  const leftCapacity = Math.max(0, state.maxCapacity - state.oldActive.length - state.started);
  const launch = Math.min(Math.max(0, input.n - state.started), leftCapacity);
  state.started += launch;
  state.healthy = [...healthy];
  state.ready = [...ready];
  state.credited = [...credited];
  state.done = healthy.size >= input.n && ready.size >= input.n && state.oldActive.length === 0;
  return { kill: [...new Set(kill)], launch, done: state.done, resetBackoff: first, state };
}

function initialState(input: RestartInput): RestartState {
  const live = input.newInstances.filter((instance) => !instance.terminal);
  const healthy = live.filter((instance) => instance.healthy).map((instance) => instance.id);
  const ready = live.filter((instance) => instance.ready).map((instance) => instance.id);
  const active = input.oldInstances.filter((instance) => instance.goalRunning);
  return {
    maxCapacity: 0,
    // Stable: unhealthy ones first, otherwise in the order given.
    toKill: [...active.filter((instance) => !instance.healthy), ...active.filter((instance) => instance.healthy)].map(
      (instance) => instance.id,
    ),
    oldActive: active.map((instance) => instance.id),
    // Instances already at the new version (e.g. after a daemon restart) count as started.
    started: input.newInstances.length,
    healthy,
    ready,
    // Found healthy and ready at the start: they pay for no kill.
    credited: healthy.filter((id) => ready.includes(id)),
    done: false,
  };
}

function countHealthy(input: RestartInput): number {
  const old = input.oldInstances.filter((instance) => instance.goalRunning && !instance.terminal && instance.healthy);
  const fresh = input.newInstances.filter((instance) => !instance.terminal && instance.healthy);
  return old.length + fresh.length;
}

/** Every instance the app has, whatever its goal, except decommissioned ones that are already gone. */
function countCurrent(input: RestartInput): number {
  const old = input.oldInstances.filter((instance) => !(instance.terminal && !instance.goalRunning));
  return old.length + input.newInstances.length;
}

function cloneState(state: RestartState): RestartState {
  return {
    ...state,
    toKill: [...state.toKill],
    oldActive: [...state.oldActive],
    healthy: [...state.healthy],
    ready: [...state.ready],
    credited: [...state.credited],
  };
}
