/** Marathon-level queries against the attached cluster. */
import type { ActionCtx } from '../core/context.js';
import { DcosError } from '../core/errors.js';
import { HttpClient } from '../scheduler/http-client.js';
import { ensureCluster } from './cluster.js';

export async function marathonAbout(ctx: ActionCtx, notify: (message: string) => void): Promise<unknown> {
  const target = await ensureCluster(ctx, notify);
  if (target.kind === 'kubernetes') {
    throw new DcosError('ENOT_MARATHON', 'The attached cluster is a kubernetes cluster: "dcos marathon" commands need a Marathon cluster', {
      hint: 'Use the cluster-neutral commands instead: dcos service, dcos task, dcos package.',
    });
  }
  const client = new HttpClient({ url: target.marathonUrl, token: target.token, insecure: target.insecure, caCert: target.caCert, signal: ctx.signal });
  const res = await client.request('GET', '/v2/info');
  if (res.status === 401) throw new DcosError('EUNAUTHORIZED', `The cluster at ${target.url} refused the token`, { hint: 'Attach the cluster again with "dcos cluster attach <name>".' });
  if (res.status !== 200) throw new DcosError('ECLUSTER', `The cluster at ${target.url} answered HTTP ${res.status}`);
  return res.json();
}
