import type { Ctx } from '../../core/context.js';
import { info, printJson } from '../../core/output.js';
import { clusterSetup } from '../../actions/cluster.js';
import type { Options } from '../types.js';
import { actions } from '../shared.js';

export async function run(ctx: Ctx, [url]: readonly unknown[], opts: Options): Promise<void> {
  const status = await clusterSetup(actions(ctx), {
    url: url as string,
    name: opts.name as string | undefined,
    token: (opts.token as string | undefined) ?? ctx.env.DCOS_ACS_TOKEN,
    marathonUrl: opts.marathonUrl as string | undefined,
    mesosUrl: opts.mesosUrl as string | undefined,
    caCert: opts.caCert as string | undefined,
    insecure: Boolean(opts.insecure),
    check: opts.check !== false,
  });
  if (opts.json) printJson(ctx, status);
  info(ctx, `Attached to ${status.kind === 'dcos' ? 'DC/OS' : 'Marathon'} cluster [${status.name}] at ${status.url}${status.version ? ` (Marathon ${status.version})` : ''}`);
}
