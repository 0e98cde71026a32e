/**
 * A pod's log as a LogReader. Kubernetes keeps one log per container, stdout and stderr together,
 * and reads it by lines and time, not by byte offset: every line carries its timestamp
 * (`timestamps=true`), and each read asks for the lines since the last one seen and drops those
 * not newer. A container that crashed and waits to restart is read from its previous run.
 */
import { DcosError } from '../../core/errors.js';
import type { LogReader } from '../types.js';
import type { KubeClient } from './client.js';
import { mainContainer, type Pod } from './observed.js';

/** RFC 3339 with nanoseconds, made comparable as text (the fraction padded to 9 digits). */
function comparable(stamp: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}` : stamp;
}

export class PodLogReader implements LogReader {
  /** The timestamp of the last line given (comparable form), and the API's form of it. */
  private last?: { key: string; raw: string };

  constructor(
    private readonly client: KubeClient,
    private readonly pod: Pod,
    private readonly container: string,
  ) {}

  private path(query: Record<string, string>): string {
    const ns = encodeURIComponent(this.pod.metadata.namespace ?? this.client.namespace);
    return `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(this.pod.metadata.name)}/log?${new URLSearchParams({ container: this.container, timestamps: 'true', ...query })}`;
  }

  /** The lines of one read, split from their timestamps; only those after the last one seen. */
  private async read(query: Record<string, string>): Promise<string[]> {
    let res = await this.client.request('GET', this.path(query));
    // A container waiting to restart has no current log yet: its last run's is what it said.
    if (res.status === 400 && mainContainer(this.pod)?.restartCount) res = await this.client.request('GET', this.path({ ...query, previous: 'true' }));
    if (res.status === 404) throw new DcosError('ENOT_FOUND', `Pod ${this.pod.metadata.name} is gone`);
    // 400: the container has not started; nothing to read yet.
    if (res.status === 400) return [];
    if (res.status !== 200) throw new DcosError('ECLUSTER', `The Kubernetes API answered HTTP ${res.status} for the log of pod ${this.pod.metadata.name}`);
    const out: string[] = [];
    for (const line of res.text.split('\n')) {
      if (line === '') continue;
      const space = line.indexOf(' ');
      const raw = space < 0 ? line : line.slice(0, space);
      const key = comparable(raw);
      if (this.last && key <= this.last.key) continue;
      this.last = { key, raw };
      out.push(space < 0 ? '' : line.slice(space + 1));
    }
    return out;
  }

  async tail(lines: number): Promise<{ lines: string[]; partial: string }> {
    const got = await this.read({ tailLines: String(Math.max(lines, 1)) });
    // The API gives whole lines only: there is never an unfinished one.
    return { lines: lines === 0 ? [] : got.slice(-lines), partial: '' };
  }

  async next(): Promise<string[]> {
    // sinceTime has whole seconds: ask from the last line's second, drop what was given already.
    return this.read(this.last ? { sinceTime: this.last.raw.replace(/\.\d+/, '') } : {});
  }

  close(): void {
    // Each read is a request of its own.
  }
}
