import { describe, expect, it } from 'vitest';
import { PortAllocator } from '../../../../src/daemon/agent/ports.js';

describe('PortAllocator', () => {
  it('hands out distinct ports of the range and counts what is free', () => {
    const ports = new PortAllocator(31000, 31009);
    expect(ports.free()).toBe(10);
    const got = ports.allocate(3)!;
    expect(got).toHaveLength(3);
    expect(new Set(got).size).toBe(3);
    for (const port of got) expect(port >= 31000 && port <= 31009).toBe(true);
    expect(ports.free()).toBe(7);
    expect(ports.allocate(0)).toEqual([]);
  });

  it('never hands out a port that is still allocated, and reuses released ones', () => {
    const ports = new PortAllocator(40000, 40019);
    const held = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const [port] = ports.allocate(1)!;
      expect(held.has(port)).toBe(false);
      held.add(port);
    }
    expect(ports.free()).toBe(0);
    expect(ports.allocate(1)).toBeNull();
    ports.release([40007]);
    expect(ports.allocate(1)).toEqual([40007]);
  });

  it('returns null and takes nothing when the request cannot be met', () => {
    const ports = new PortAllocator(50000, 50004);
    ports.allocate(3);
    expect(ports.allocate(3)).toBeNull();
    expect(ports.free()).toBe(2);
    expect(ports.allocate(2)).toHaveLength(2);
  });

  it('honours required host ports in their position', () => {
    const ports = new PortAllocator(31000, 31099);
    const got = ports.allocate(3, [0, 31050, 0])!;
    expect(got[1]).toBe(31050);
    expect(got[0]).not.toBe(31050);
    expect(got[2]).not.toBe(31050);
    // Taken now: asking again fails without taking anything else.
    const before = ports.free();
    expect(ports.allocate(2, [0, 31050])).toBeNull();
    expect(ports.free()).toBe(before);
    // A required port may be outside the range (requirePorts), but only once.
    expect(ports.allocate(1, [8080])).toEqual([8080]);
    expect(ports.allocate(1, [8080])).toBeNull();
    expect(ports.free()).toBe(before);
    expect(ports.allocate(2, [9000, 9000])).toBeNull();
  });

  it('reserve marks recovered ports as taken', () => {
    const ports = new PortAllocator(60000, 60002);
    ports.reserve([60000, 60002]);
    expect(ports.free()).toBe(1);
    expect(ports.allocate(1)).toEqual([60001]);
    expect(ports.allocate(1, [60000])).toBeNull();
  });

  it('rejects a bad range', () => {
    expect(() => new PortAllocator(100, 10)).toThrow(RangeError);
    expect(() => new PortAllocator(0, 10)).toThrow(RangeError);
  });
});
