// `/v2/queue` items: instances an app still waits for, its launch delay, and why offers were declined.
import type { NormalizedApp } from '../../marathon/app-types.js';

/**
 * Marathon's reasons for not using an offer, in its funnel order: an offer declined for several
 * reasons counts only under the first of them.
 */
export const REJECT_REASONS = [
  'UnfulfilledRole',
  'UnfulfilledConstraint',
  'NoCorrespondingReservationFound',
  'AgentMaintenance',
  'InsufficientCpus',
  'InsufficientMemory',
  'InsufficientDisk',
  'InsufficientGpus',
  'InsufficientPorts',
  'DeclinedScarceResources',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** RAML `DeclinedOfferStep`: how many offers reached this stage of the funnel and how many it declined. */
export interface DeclinedOfferStep {
  reason: string;
  declined: number;
  processed: number;
}

/** The first of `reasons` in funnel order: the one an offer declined for all of them is counted under. */
export function funnelReason(reasons: readonly RejectReason[]): RejectReason | undefined {
  return REJECT_REASONS.find((reason) => reasons.includes(reason));
}

/** Marathon's funnel: each step sees the offers the previous steps did not decline. */
export function declinedOfferSteps(processedOffers: number, declined: Partial<Record<RejectReason, number>>): DeclinedOfferStep[] {
  let processed = processedOffers;
  return REJECT_REASONS.map((reason) => {
    const count = declined[reason] ?? 0;
    const step = { reason, declined: count, processed };
    processed -= count;
    return step;
  });
}

/**
 * One `/v2/queue` item (`QueueApp`). `rejects` is the funnel of this launch attempt (see
 * `declinedOfferSteps`); an empty list means no offer was processed yet. `lastUnusedReason`, when the
 * last offer (the only agent's) was declined, gives that offer's reason: on one machine the "last offer
 * per agent" summary is that single offer.
 */
export function queueEntryJson(
  app: NormalizedApp,
  count: number,
  since: string,
  delay: { timeLeftSeconds: number; overdue: boolean },
  rejects: DeclinedOfferStep[],
  lastUnusedReason?: string,
): Record<string, unknown> {
  const attempt = rejects.length > 0 ? rejects : declinedOfferSteps(0, {});
  const processedOffersCount = attempt[0]?.processed ?? 0;
  const unusedOffersCount = attempt.reduce((sum, step) => sum + step.declined, 0);
  const lastOffers = lastUnusedReason ? lastOfferSteps(lastUnusedReason) : declinedOfferSteps(0, {});
  return {
    app,
    count,
    role: typeof app.role === 'string' ? app.role : '*',
    delay: { timeLeftSeconds: delay.timeLeftSeconds, overdue: delay.overdue },
    since,
    processedOffersSummary: {
      processedOffersCount,
      unusedOffersCount,
      rejectSummaryLastOffers: lastOffers,
      rejectSummaryLaunchAttempt: attempt,
    },
  };
}

function lastOfferSteps(reason: string): DeclinedOfferStep[] {
  if ((REJECT_REASONS as readonly string[]).includes(reason)) {
    return declinedOfferSteps(1, { [reason as RejectReason]: 1 });
  }
  // A reason outside the funnel is still reported, after the known ones.
  return [...declinedOfferSteps(1, {}), { reason, declined: 1, processed: 1 }];
}
