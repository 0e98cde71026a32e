/**
 * Reading a pod's log by timestamp: stdout and stderr lines interleave out of timestamp order in
 * the log (the kubelet writes each stream as it reads it), and sinceTime has whole seconds. The
 * API's log endpoint is a test double here (a function over a list of timestamped lines, with the
 * API's tailLines and sinceTime semantics); the real endpoint is exercised by the Kubernetes tests.
 */
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../../../src/scheduler/kubernetes/client.js';
import { PodLogReader } from '../../../../src/scheduler/kubernetes/logs.js';
import type { Pod } from '../../../../src/scheduler/kubernetes/observed.js';

function logApi(lines: string[]): KubeClient {
  return {
    namespace: 'ns',
    async request(_method: string, path: string) {
      const q = new URL(`http://x${path}`).searchParams;
      let out = [...lines];
      const since = q.get('sinceTime');
      if (since) out = out.filter((l) => l.slice(0, 19) >= since.slice(0, 19));
      const tail = q.get('tailLines');
      if (tail) out = out.slice(-Number(tail));
      return { status: 200, text: out.map((l) => `${l}\n`).join('') };
    },
  } as unknown as KubeClient;
}

const pod: Pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c' }] } };

describe('PodLogReader', () => {
  it('keeps a line whose timestamp is earlier than the one before it (another stream), and gives no line twice', async () => {
    const lines = ['2026-12-02T18:09:06.200000000Z starting', '2026-12-02T18:09:06.100000000Z fatal: on stderr, stamped first'];
    const reader = new PodLogReader(logApi(lines), pod, 'c');
    expect((await reader.tail(10)).lines).toEqual(['starting', 'fatal: on stderr, stamped first']);
    lines.push('2026-12-02T18:09:06.900000000Z later in the same second', '2026-12-02T18:09:07.000000001Z the next second');
    expect(await reader.next()).toEqual(['later in the same second', 'the next second']);
    expect(await reader.next()).toEqual([]);
    lines.push('2026-12-02T18:09:06.950000000Z a late line of the older second (stderr)', '2026-12-02T18:09:07.500000000Z more');
    // sinceTime is now 18:09:07: a line stamped in an older second than the newest is not asked for again.
    expect(await reader.next()).toEqual(['more']);
  });

  it('reads a new task from its start when it was not tailed', async () => {
    const reader = new PodLogReader(logApi(['2026-12-02T18:00:00.000000000Z one', '2026-12-02T18:00:01.000000000Z two']), pod, 'c');
    expect(await reader.next()).toEqual(['one', 'two']);
    expect(await reader.next()).toEqual([]);
  });
});
