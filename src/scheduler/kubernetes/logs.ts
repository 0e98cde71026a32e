/**
 * A pod's log as a LogReader. Kubernetes keeps one log per container, stdout and stderr together,
 * and reads it by lines and time, not by byte offset: every line carries its timestamp
 * (`timestamps=true`), and each read asks for the lines since the last second seen and drops the
 * lines already given. A container that crashed and waits to restart is read from its previous run.
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

interface Line {
  /** The whole line as the API gave it, timestamp included: what tells two lines apart. */
  whole: string;
  key: string;
  text: string;
}

export class PodLogReader implements LogReader {
  /**
   * The second (RFC 3339, whole seconds) from which the next read asks (sinceTime has whole
   * seconds), and the lines of that second and later already given. Lines of stdout and stderr
   * are not in timestamp order in the log, so a line is known by its whole text, not by being
   * later than the last one.
   */
  private since?: string;
  private newest = '';
  private given = new Set<string>();

  constructor(
    private readonly client: KubeClient,
    private readonly pod: Pod,
    private readonly container: string,
  ) {}

  private path(query: Record<string, string>): string {
    const ns = encodeURIComponent(this.pod.metadata.namespace ?? this.client.namespace);
    return `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(this.pod.metadata.name)}/log?${new URLSearchParams({ container: this.container, timestamps: 'true', ...query })}`;
  }

  /** The lines of one read, split from their timestamps, in the log's order. */
  private async read(query: Record<string, string>): Promise<Line[]> {
    let res = await this.client.request('GET', this.path(query));
    // A container waiting to restart has no current log yet: its last run's is what it said.
    if (res.status === 400 && mainContainer(this.pod)?.restartCount) res = await this.client.request('GET', this.path({ ...query, previous: 'true' }));
    if (res.status === 404) throw new DcosError('ENOT_FOUND', `Pod ${this.pod.metadata.name} is gone`);
    // 400: the container has not started; nothing to read yet.
    if (res.status === 400) return [];
    if (res.status !== 200) throw new DcosError('ECLUSTER', `The Kubernetes API answered HTTP ${res.status} for the log of pod ${this.pod.metadata.name}`);
    return res.text
      .split('\n')
      .filter((line) => line !== '')
      .map((whole) => {
        const space = whole.indexOf(' ');
        const raw = space < 0 ? whole : whole.slice(0, space);
        return { whole, key: comparable(raw), text: space < 0 ? '' : whole.slice(space + 1) };
      });
  }

  /** Remembers what was given: the newest line's second, and the lines from that second on. */
  private remember(lines: Line[]): void {
    this.newest = lines.reduce((max, l) => (l.key > max ? l.key : max), this.newest);
    if (!this.newest) return;
    const second = this.newest.replace(/\.\d+/, '');
    const from = second.replace(/(Z|[+-]\d\d:\d\d)$/, '.000000000$1');
    for (const l of lines) if (l.key >= from) this.given.add(l.whole);
    for (const whole of this.given) if (comparable(whole.split(' ', 1)[0]) < from) this.given.delete(whole);
    this.since = second;
  }

  async tail(lines: number): Promise<{ lines: string[]; partial: string }> {
    const got = await this.read({ tailLines: String(Math.max(lines, 1)) });
    this.remember(got);
    // The API gives whole lines only: there is never an unfinished one.
    return { lines: lines === 0 ? [] : got.slice(-lines).map((l) => l.text), partial: '' };
  }

  async next(): Promise<string[]> {
    const got = (await this.read(this.since ? { sinceTime: this.since } : {})).filter((l) => !this.given.has(l.whole));
    this.remember(got);
    return got.map((l) => l.text);
  }

  close(): void {
    // Each read is a request of its own.
  }
}
