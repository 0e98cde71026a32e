/** Small readings of an app's state that the wait and the install listing both make. */
import type { QueueItem, SchedulerApp } from '../scheduler/types.js';

/**
 * When the app's configuration last changed: tasks launched before run the previous one. A scale
 * is not a change of configuration (Marathon keeps the two apart in versionInfo).
 */
export function configChangedAt(app: Pick<SchedulerApp, 'version' | 'versionInfo'>): string {
  return app.versionInfo?.lastConfigChangeAt ?? app.version;
}

/** Whether a task (or failure) of this app version runs the current configuration. */
export function runsCurrentConfig(app: Pick<SchedulerApp, 'version' | 'versionInfo'>, version: string): boolean {
  return version >= configChangedAt(app);
}

/** Why the queue's tasks of an app wait: the cluster's own sentence, or Marathon's reject summary. */
export function queueReason(q: QueueItem): string | undefined {
  return q.lastUnusedOfferReason ?? q.processedOffersSummary?.rejectSummaryLastOffers?.find((r) => r.declined > 0)?.reason;
}
