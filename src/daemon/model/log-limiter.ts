/** For something that keeps going wrong: say it when it changes, and at most once a minute while it repeats. */
export class LogLimiter {
  private last?: { key: string; at: number };

  constructor(
    private readonly now: () => number,
    private readonly everyMs = 60_000,
  ) {}

  /** Whether to log now: `key` is not the one last logged, or that was `everyMs` ago. Counts as logged. */
  allows(key = ''): boolean {
    const now = this.now();
    if (this.last && this.last.key === key && now - this.last.at < this.everyMs) return false;
    this.last = { key, at: now };
    return true;
  }

  /** Forgets what was logged: the next call allows. */
  reset(): void {
    this.last = undefined;
  }
}
