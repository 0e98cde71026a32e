// A tiny world for driving planRestart: old and new instances, kills, launches, health.
import { planRestart, type RestartInput, type RestartState, type RestartStep } from '../../../../src/daemon/engine/rolling-restart.js';

export interface SimInstance {
  id: string;
  gen: 'old' | 'new';
  phase: 'staging' | 'running' | 'killing' | 'dead';
  goalRunning: boolean;
  healthy: boolean;
  ready: boolean;
}

export interface Strategy {
  n: number;
  minH: number;
  maxO: number;
  resident?: boolean;
  /** How many old instances exist at the start (default n). */
  old?: number;
  /** Readiness checks: new instances become ready separately from healthy. */
  readiness?: boolean;
}

export class RestartSim {
  readonly instances: SimInstance[] = [];
  state: RestartState | undefined;
  done = false;
  log: RestartStep[] = [];
  private next = 0;

  constructor(readonly strategy: Strategy) {
    for (let i = 0; i < (strategy.old ?? strategy.n); i += 1) {
      this.instances.push({ id: `old-${i}`, gen: 'old', phase: 'running', goalRunning: true, healthy: true, ready: true });
    }
  }

  input(): RestartInput {
    const { n, minH, maxO, resident } = this.strategy;
    return {
      n,
      minHealthCapacity: minH,
      maxOverCapacity: maxO,
      resident: resident ?? false,
      oldInstances: this.instances
        .filter((i) => i.gen === 'old')
        .map((i) => ({ id: i.id, healthy: i.healthy && i.phase !== 'dead', terminal: i.phase === 'dead', goalRunning: i.goalRunning })),
      newInstances: this.instances
        .filter((i) => i.gen === 'new' && i.goalRunning)
        .map((i) => ({ id: i.id, healthy: i.healthy, ready: i.ready, terminal: i.phase === 'dead' })),
      ...(this.state ? { state: this.state } : {}),
    };
  }

  /** Calls planRestart and applies what it says. */
  step(): RestartStep {
    const result = planRestart(this.input());
    this.state = result.state;
    this.done = result.done;
    this.log.push(result);
    for (const id of result.kill) {
      const instance = this.find(id);
      instance.goalRunning = false;
      if (instance.phase !== 'dead') instance.phase = 'killing';
    }
    for (let i = 0; i < result.launch; i += 1) this.launch();
    return result;
  }

  launch(): SimInstance {
    const instance: SimInstance = { id: `new-${this.next++}`, gen: 'new', phase: 'staging', goalRunning: true, healthy: false, ready: false };
    this.instances.push(instance);
    return instance;
  }

  find(id: string): SimInstance {
    const found = this.instances.find((i) => i.id === id);
    if (!found) throw new Error(`no instance ${id}`);
    return found;
  }

  /** Instances counted as healthy: goal running and healthy (old ones are healthy while alive). */
  healthyCount(): number {
    return this.instances.filter((i) => i.goalRunning && i.phase !== 'dead' && i.healthy).length;
  }

  /** Instances alive in any way (what capacity limits). */
  aliveCount(): number {
    return this.instances.filter((i) => i.phase !== 'dead').length;
  }

  killing(): SimInstance[] {
    return this.instances.filter((i) => i.phase === 'killing');
  }

  staging(): SimInstance[] {
    return this.instances.filter((i) => i.gen === 'new' && i.phase === 'staging');
  }

  /** A killed instance finishes dying. */
  die(instance: SimInstance): void {
    instance.phase = 'dead';
    instance.healthy = false;
  }

  /** A new instance passes its health (and, without readiness checks, readiness). */
  becomeHealthy(instance: SimInstance): void {
    instance.phase = 'running';
    instance.healthy = true;
    if (!this.strategy.readiness) instance.ready = true;
  }
}

/** A small deterministic PRNG so a failing random run can be replayed. */
export function prng(seed: number): () => number {
  let value = seed >>> 0;
  return () => {
    value = (value * 1664525 + 1013904223) >>> 0;
    return value / 2 ** 32;
  };
}
