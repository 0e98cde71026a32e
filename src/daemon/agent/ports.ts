/**
 * Host ports of the agent's range, handed to tasks. Randomized (as Mesos offers are in practice)
 * so a restarted task rarely lands on the port its predecessor had, which clients may still hold.
 */
import { randomInt } from 'node:crypto';

export class PortAllocator {
  private readonly used = new Set<number>();

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new RangeError(`Invalid port range ${min}-${max}`);
    }
  }

  /**
   * `count` ports, or null if they cannot all be had (nothing is taken then). Non-zero entries of
   * `requested` (same length as count, or shorter) are required host ports, taken as-is and
   * returned in their position; zero or missing entries get a free port of the range.
   */
  allocate(count: number, requested: number[] = []): number[] | null {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`Invalid port count ${count}`);
    const required = requested.slice(0, count);
    const fixed = required.filter((port) => port !== 0);
    // A required port may lie outside the range (requirePorts apps); it still must not be in use.
    if (fixed.some((port) => !Number.isInteger(port) || port < 1 || port > 65535 || this.used.has(port))) return null;
    if (new Set(fixed).size !== fixed.length) return null;
    const taken = new Set(fixed);
    const dynamic = count - fixed.length;
    const picked = this.pick(dynamic, taken);
    if (!picked) return null;
    const result: number[] = [];
    let next = 0;
    for (let i = 0; i < count; i++) {
      const want = required[i] ?? 0;
      result.push(want !== 0 ? want : picked[next++]);
    }
    for (const port of result) this.used.add(port);
    return result;
  }

  /** Gives ports back; unknown ports are ignored. */
  release(ports: number[]): void {
    for (const port of ports) this.used.delete(port);
  }

  /** Marks ports as taken without choosing them (recovering tasks that already hold them). */
  reserve(ports: number[]): void {
    for (const port of ports) this.used.add(port);
  }

  /** Every port handed out and not given back, in order. */
  inUse(): number[] {
    return [...this.used].sort((a, b) => a - b);
  }

  /** How many ports of the range are free. */
  free(): number {
    let inRange = 0;
    for (const port of this.used) if (port >= this.min && port <= this.max) inRange++;
    return this.max - this.min + 1 - inRange;
  }

  /** `count` distinct free ports of the range, not in `exclude`; null if there are not enough. */
  private pick(count: number, exclude: Set<number>): number[] | null {
    if (count === 0) return [];
    const size = this.max - this.min + 1;
    const unavailable = (port: number): boolean => this.used.has(port) || exclude.has(port);
    const out: number[] = [];
    // Random probes first (cheap when the range is mostly free), then a scan from a random start.
    for (let tries = 0; out.length < count && tries < count * 8; tries++) {
      const port = this.min + randomInt(size);
      if (!unavailable(port) && !out.includes(port)) out.push(port);
    }
    const offset = randomInt(size);
    for (let i = 0; out.length < count && i < size; i++) {
      const port = this.min + ((offset + i) % size);
      if (!unavailable(port) && !out.includes(port)) out.push(port);
    }
    return out.length === count ? out : null;
  }
}
