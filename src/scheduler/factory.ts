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

export interface KubernetesTarget {
  kind: 'kubernetes';
  url: string;
  kubeconfig?: string;
  context: string;
  namespace?: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

export type SchedulerTarget = MarathonTarget | KubernetesTarget;

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
    case 'kubernetes': {
      const [{ resolveConnection }, { KubeClient }, { KubernetesDriver }] = await Promise.all([
        import('./kubernetes/kubeconfig.js'),
        import('./kubernetes/client.js'),
        import('./kubernetes/driver.js'),
      ]);
      const conn = resolveConnection({ file: target.kubeconfig, env: target.env, cwd: target.cwd }, { context: target.context, namespace: target.namespace });
      return new KubernetesDriver(new KubeClient(conn, { timeoutSeconds: opts.timeoutSeconds, signal: opts.signal }));
    }
  }
}
