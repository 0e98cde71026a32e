import { describe, expect, it } from 'vitest';
import { planRestart, restartStrategy } from '../../../../src/daemon/engine/rolling-restart.js';
import { RestartSim, prng, type Strategy } from './restart-sim.js';

function bounds(strategy: Strategy): { minHealthy: number; maxCapacity: number } {
  const minHealthy = Math.ceil(strategy.n * strategy.minH);
  const cap = Math.floor(strategy.n * (1 + strategy.maxO));
  const tight = minHealthy === cap;
  return {
    // A resident app with no headroom goes one below minHealthy instead of one above capacity.
    minHealthy: tight && strategy.resident ? minHealthy - 1 : minHealthy,
    maxCapacity: tight && !strategy.resident ? cap + 1 : cap,
  };
}

/** Runs a restart to the end with `pick` choosing the next event, checking the invariants after each step. */
function run(strategy: Strategy, pick: (sim: RestartSim) => void): RestartSim {
  const sim = new RestartSim(strategy);
  const { minHealthy, maxCapacity } = bounds(strategy);
  const check = (): void => {
    expect(sim.healthyCount()).toBeGreaterThanOrEqual(minHealthy);
    expect(sim.aliveCount()).toBeLessThanOrEqual(maxCapacity);
  };
  sim.step();
  check();
  for (let guard = 0; !sim.done; guard += 1) {
    if (guard > 500) throw new Error('restart did not finish');
    pick(sim);
    sim.step();
    check();
  }
  expect(sim.instances.filter((i) => i.gen === 'old' && i.phase !== 'dead')).toEqual([]);
  expect(sim.instances.filter((i) => i.gen === 'new' && i.phase === 'running' && i.healthy)).toHaveLength(strategy.n);
  return sim;
}

/** Deaths first, then one new instance gets healthy: the "one at a time" order. */
function orderly(sim: RestartSim): void {
  const dying = sim.killing()[0];
  if (dying) return sim.die(dying);
  const starting = sim.staging()[0];
  if (starting) return sim.becomeHealthy(starting);
  throw new Error('stuck: nothing can happen');
}

function randomly(random: () => number) {
  return (sim: RestartSim): void => {
    const events: Array<() => void> = [
      ...sim.killing().map((i) => () => sim.die(i)),
      ...sim.staging().map((i) => () => sim.becomeHealthy(i)),
      ...sim.instances.filter((i) => i.gen === 'new' && i.healthy && !i.ready && i.phase === 'running').map((i) => () => {
        i.ready = true;
      }),
    ];
    if (events.length === 0) throw new Error('stuck: nothing can happen');
    events[Math.floor(random() * events.length)]();
  };
}

const actions = (sim: RestartSim) => sim.log.map(({ kill, launch }) => [kill.length, launch]);

describe('restartStrategy', () => {
  it('computes Marathon numbers', () => {
    const base = { resident: false, healthyNow: 4, currentInstances: 4 };
    expect(restartStrategy({ n: 4, minHealthCapacity: 1, maxOverCapacity: 1, ...base })).toEqual({ minHealthy: 4, maxCapacity: 8, killNow: 0 });
    expect(restartStrategy({ n: 4, minHealthCapacity: 0.5, maxOverCapacity: 0, ...base })).toEqual({ minHealthy: 2, maxCapacity: 4, killNow: 2 });
    expect(restartStrategy({ n: 4, minHealthCapacity: 1, maxOverCapacity: 0, ...base })).toEqual({ minHealthy: 4, maxCapacity: 5, killNow: 0 });
    expect(restartStrategy({ n: 4, minHealthCapacity: 1, maxOverCapacity: 0, ...base, resident: true })).toEqual({ minHealthy: 4, maxCapacity: 4, killNow: 1 });
    expect(restartStrategy({ n: 2, minHealthCapacity: 1, maxOverCapacity: 1, ...base })).toEqual({ minHealthy: 2, maxCapacity: 4, killNow: 2 });
  });
});

describe('planRestart: the documented consequences', () => {
  it('defaults (1.0/1.0): all N new at once, one old killed per new healthy+ready', () => {
    const sim = run({ n: 3, minH: 1, maxO: 1 }, orderly);
    expect(sim.log[0]).toMatchObject({ kill: [], launch: 3, done: false, resetBackoff: true });
    // healthy -> kill, death -> nothing to launch, ... three times.
    expect(actions(sim)).toEqual([[0, 3], [1, 0], [0, 0], [1, 0], [0, 0], [1, 0], [0, 0]]);
    expect(sim.log.at(-1)?.done).toBe(true);
  });

  it('{0.5, 0} with N=4: kill 2 at once, start 2 as they die, then one-for-one', () => {
    const sim = run({ n: 4, minH: 0.5, maxO: 0 }, orderly);
    expect(actions(sim)).toEqual([
      [2, 0],
      [0, 1],
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
      [0, 0],
      [0, 0],
    ]);
  });

  it('{1, 0}: one extra instance, strict one-at-a-time surge', () => {
    const sim = run({ n: 3, minH: 1, maxO: 0 }, orderly);
    expect(actions(sim)).toEqual([[0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 0]]);
  });

  it('{0, 0} single instance: kill the old first, then start the new', () => {
    const sim = run({ n: 1, minH: 0, maxO: 0 }, orderly);
    expect(actions(sim)).toEqual([[1, 0], [0, 1], [0, 0]]);
  });

  it('resident {1, 0}: kills one below minHealthy instead of surging', () => {
    const sim = run({ n: 2, minH: 1, maxO: 0, resident: true }, orderly);
    expect(sim.log[0]).toMatchObject({ kill: ['old-0'], launch: 0 });
  });
});

describe('planRestart: invariants under any event order', () => {
  const strategies: Strategy[] = [
    { n: 3, minH: 1, maxO: 1 },
    { n: 4, minH: 0.5, maxO: 0 },
    { n: 3, minH: 1, maxO: 0 },
    { n: 1, minH: 0, maxO: 0 },
    { n: 5, minH: 0.6, maxO: 0.4 },
    { n: 4, minH: 0, maxO: 0.5 },
    { n: 4, minH: 1, maxO: 0, resident: true },
    { n: 3, minH: 0.5, maxO: 0.5, readiness: true },
    { n: 2, minH: 1, maxO: 1, old: 4 },
  ];
  for (const strategy of strategies) {
    it(`${JSON.stringify(strategy)} keeps health and capacity bounds and finishes`, () => {
      for (let seed = 1; seed <= 20; seed += 1) run(strategy, randomly(prng(seed)));
    });
  }
});

describe('planRestart: events', () => {
  it('waits for readiness as well as health before killing', () => {
    const sim = new RestartSim({ n: 1, minH: 1, maxO: 1, readiness: true });
    sim.step();
    const fresh = sim.staging()[0];
    sim.becomeHealthy(fresh);
    expect(sim.step()).toMatchObject({ kill: [], launch: 0, done: false });
    fresh.ready = true;
    expect(sim.step()).toMatchObject({ kill: ['old-0'], done: false });
    sim.die(sim.find('old-0'));
    expect(sim.step().done).toBe(true);
  });

  it('kills unhealthy old instances first', () => {
    const sim = new RestartSim({ n: 3, minH: 1, maxO: 1 });
    sim.find('old-2').healthy = false;
    sim.step();
    sim.becomeHealthy(sim.staging()[0]);
    expect(sim.step().kill).toEqual(['old-2']);
  });

  it('decommissions an old instance that dies on its own and uses the freed capacity', () => {
    const sim = new RestartSim({ n: 2, minH: 1, maxO: 0 });
    expect(sim.step()).toMatchObject({ kill: [], launch: 1 });
    sim.die(sim.find('old-1'));
    expect(sim.step()).toMatchObject({ kill: ['old-1'], launch: 1 });
  });

  it('does not relaunch a dead new instance itself, and credits its replacement', () => {
    const sim = new RestartSim({ n: 1, minH: 1, maxO: 1 });
    sim.step();
    const first = sim.staging()[0];
    sim.die(first);
    expect(sim.step()).toMatchObject({ kill: [], launch: 0 });
    // The scheduler's own replacement (a new task id) takes its place.
    first.goalRunning = false;
    const replacement = sim.launch();
    sim.becomeHealthy(replacement);
    expect(sim.step().kill).toEqual(['old-0']);
  });

  it('kills leftovers beyond N at once', () => {
    const sim = new RestartSim({ n: 2, minH: 1, maxO: 1, old: 5 });
    const first = sim.step();
    expect(first.kill).toHaveLength(3);
    expect(first.launch).toBe(0);
  });

  it('counts new instances already running as started, without paying kills for them', () => {
    const result = planRestart({
      n: 2,
      minHealthCapacity: 1,
      maxOverCapacity: 1,
      resident: false,
      oldInstances: [{ id: 'old-0', healthy: true, terminal: false, goalRunning: true }],
      newInstances: [{ id: 'new-a', healthy: true, ready: true, terminal: false }],
    });
    // Two healthy (one old, one new) against minHealthy 2: nothing to kill; one more new fits.
    expect(result).toMatchObject({ kill: [], launch: 1, done: false });
    const next = planRestart({
      n: 2,
      minHealthCapacity: 1,
      maxOverCapacity: 1,
      resident: false,
      oldInstances: [{ id: 'old-0', healthy: true, terminal: false, goalRunning: true }],
      newInstances: [
        { id: 'new-a', healthy: true, ready: true, terminal: false },
        { id: 'new-b', healthy: true, ready: true, terminal: false },
      ],
      state: result.state,
    });
    expect(next).toMatchObject({ kill: ['old-0'], launch: 0, done: false, resetBackoff: false });
  });

  it('is done at once for N = 0 and stays done', () => {
    const result = planRestart({ n: 0, minHealthCapacity: 1, maxOverCapacity: 1, resident: false, oldInstances: [], newInstances: [] });
    expect(result).toMatchObject({ kill: [], launch: 0, done: true });
  });

  it('keeps its state as plain JSON', () => {
    const sim = new RestartSim({ n: 2, minH: 1, maxO: 1 });
    sim.step();
    const state = JSON.parse(JSON.stringify(sim.state));
    expect(state).toEqual(sim.state);
  });
});
