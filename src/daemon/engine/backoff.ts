// Marathon's launch backoff (RateLimiter) for one app: a delay per app config, grown by each failure.
import type { NormalizedApp } from '../../marathon/app-types.js';

type BackoffApp = Pick<NormalizedApp, 'backoffSeconds' | 'backoffFactor' | 'maxLaunchDelaySeconds' | 'versionInfo' | 'version'>;

interface Delay {
  /** When the delay was last (re)anchored. */
  anchor: number;
  delayMs: number;
  /** The cap in force when the delay was set; also how long a quiet app keeps it. */
  maxMs: number;
}

/** Delays belong to an app *config*: a scale or restart keeps them, a config change starts fresh. */
export function backoffConfigKey(app: Pick<NormalizedApp, 'versionInfo' | 'version'>): string {
  return app.versionInfo?.lastConfigChangeAt ?? app.version ?? '';
}

export class LaunchBackoff {
  /** `versionInfo.lastConfigChangeAt` of the config the current delay belongs to. */
  configKey: string | null = null;
  private delay: Delay | null = null;

  /** A task of the app failed (FAILED/FINISHED/ERROR/DROPPED/GONE; not a plain KILLED). */
  onFailure(now: number, app: BackoffApp): void {
    this.follow(app);
    this.dropIfQuiet(now);
    const maxMs = app.maxLaunchDelaySeconds * 1000;
    if (!this.delay) {
      this.delay = { anchor: now, delayMs: Math.min(app.backoffSeconds * 1000, maxMs), maxMs };
      return;
    }
    // Marathon multiplies a nanosecond duration and truncates it.
    const grown = Math.trunc(this.delay.delayMs * 1e6 * app.backoffFactor) / 1e6;
    this.delay = { anchor: now, delayMs: Math.min(grown, maxMs), maxMs };
  }

  /** A task of the app reached staging/starting/running: move the anchor to now, keep the length. */
  onRunning(now: number, app?: BackoffApp): void {
    if (app) this.follow(app);
    if (this.delay) this.delay = { ...this.delay, anchor: now };
  }

  /** Start of a restart deployment, app stop, `DELETE /v2/queue/{app}/delay`. */
  reset(): void {
    this.delay = null;
  }

  /** Whether a delay is in force (for `DELETE .../delay` answering 404 when there is none). */
  hasDelay(now: number, app: BackoffApp): boolean {
    this.follow(app);
    this.dropIfQuiet(now);
    return this.delay !== null;
  }

  /** Earliest time a task of the app may be launched. */
  launchAllowedAt(now: number, app: BackoffApp): number {
    this.follow(app);
    this.dropIfQuiet(now);
    return this.delay ? this.delay.anchor + this.delay.delayMs : now;
  }

  /** Whole seconds until the next launch is allowed (Marathon truncates), never negative. */
  timeLeftSeconds(now: number, app: BackoffApp): number {
    return Math.max(0, Math.trunc((this.launchAllowedAt(now, app) - now) / 1000));
  }

  /** The `/v2/queue` item's `delay` object. */
  queueDelay(now: number, app: BackoffApp): { timeLeftSeconds: number; overdue: boolean } {
    return { timeLeftSeconds: this.timeLeftSeconds(now, app), overdue: this.launchAllowedAt(now, app) <= now };
  }

  private follow(app: BackoffApp): void {
    const key = backoffConfigKey(app);
    if (key === this.configKey) return;
    this.configKey = key;
    this.delay = null;
  }

  /** Marathon drops a delay once `now > anchor + maxLaunchDelay`, i.e. after a quiet period. */
  private dropIfQuiet(now: number): void {
    if (this.delay && now > this.delay.anchor + this.delay.maxMs) this.delay = null;
  }
}
