/**
 * The Scheduler for a cluster, chosen by its kind. A driver is loaded only when its kind is the
 * attached one, so no command pays for the clients of clusters it does not talk to.
 */
import type { Scheduler } from './types.js';

export interface MarathonTarget {
  kind: 'local' | 'dcos' | 'marathon';
  url: string;
  marathonUrl: string;
  mesosUrl: string;
  token?: string;
  insecure?: boolean;
  caCert?: string;
}

export type SchedulerTarget = MarathonTarget;

export interface ConnectOptions {
  timeoutSeconds: number;
  signal?: AbortSignal;
}

export async function openScheduler(target: SchedulerTarget, opts: ConnectOptions): Promise<Scheduler> {
  switch (target.kind) {
    case 'local':
    case 'dcos':
    case 'marathon': {
      const [{ MarathonClient, bareEndpoints, dcosEndpoints }, { MarathonDriver }] = await Promise.all([import('./marathon/client.js'), import('./marathon/driver.js')]);
      const endpoints = target.kind === 'marathon' ? bareEndpoints(target.marathonUrl, target.mesosUrl) : dcosEndpoints(target.url);
      const client = new MarathonClient(endpoints, { token: target.token, insecure: target.insecure, caCert: target.caCert, timeoutSeconds: opts.timeoutSeconds, signal: opts.signal });
      return new MarathonDriver(client);
    }
  }
}
