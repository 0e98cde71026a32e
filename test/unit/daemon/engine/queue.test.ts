import { describe, expect, it } from 'vitest';
import { REJECT_REASONS, declinedOfferSteps, funnelReason, queueEntryJson } from '../../../../src/daemon/engine/queue.js';
import { T0, iso, makeApp } from './fixtures.js';

describe('declinedOfferSteps', () => {
  it('funnels: each reason sees what earlier ones did not decline', () => {
    const steps = declinedOfferSteps(10, { InsufficientCpus: 6, InsufficientMemory: 3 });
    expect(steps.map((step) => step.reason)).toEqual([...REJECT_REASONS]);
    expect(steps.find((step) => step.reason === 'InsufficientCpus')).toEqual({ reason: 'InsufficientCpus', declined: 6, processed: 10 });
    expect(steps.find((step) => step.reason === 'InsufficientMemory')).toEqual({ reason: 'InsufficientMemory', declined: 3, processed: 4 });
    expect(steps.find((step) => step.reason === 'InsufficientDisk')).toEqual({ reason: 'InsufficientDisk', declined: 0, processed: 1 });
  });

  it('picks the first reason in funnel order', () => {
    expect(funnelReason(['InsufficientMemory', 'UnfulfilledConstraint', 'InsufficientCpus'])).toBe('UnfulfilledConstraint');
    expect(funnelReason([])).toBeUndefined();
  });
});

describe('queueEntryJson', () => {
  const app = makeApp({ id: 'web', instances: 3 });

  it('produces the /v2/queue item shape', () => {
    const rejects = declinedOfferSteps(4, { InsufficientMemory: 4 });
    const item = queueEntryJson(app, 2, iso(T0), { timeLeftSeconds: 0, overdue: true }, rejects, 'InsufficientMemory');
    expect(item).toMatchObject({
      app,
      count: 2,
      role: '*',
      delay: { timeLeftSeconds: 0, overdue: true },
      since: iso(T0),
      processedOffersSummary: { processedOffersCount: 4, unusedOffersCount: 4, rejectSummaryLaunchAttempt: rejects },
    });
    const last = (item.processedOffersSummary as { rejectSummaryLastOffers: Array<{ reason: string; declined: number; processed: number }> })
      .rejectSummaryLastOffers;
    expect(last.find((step) => step.reason === 'InsufficientMemory')).toEqual({ reason: 'InsufficientMemory', declined: 1, processed: 1 });
    expect(last.find((step) => step.reason === 'InsufficientDisk')).toEqual({ reason: 'InsufficientDisk', declined: 0, processed: 0 });
  });

  it('reports a zero funnel before any offer, and the app role when set', () => {
    const item = queueEntryJson({ ...app, role: 'slave_public' }, 1, iso(T0), { timeLeftSeconds: 5, overdue: false }, []);
    const summary = item.processedOffersSummary as Record<string, unknown>;
    expect(item.role).toBe('slave_public');
    expect(summary.processedOffersCount).toBe(0);
    expect(summary.unusedOffersCount).toBe(0);
    expect(summary.rejectSummaryLaunchAttempt).toEqual(declinedOfferSteps(0, {}));
  });
});
