import type { Ctx } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { info, printJson } from '../../core/output.js';
import { clusterSetup, clusterSetupKubernetes, type ClusterStatus } from '../../actions/cluster.js';
import { actions } from '../shared.js';

export interface SetupFlags {
  name?: string;
  token?: string;
  marathonUrl?: string;
  mesosUrl?: string;
  caCert?: string;
  insecure?: boolean;
  /** `--no-check` alone is declared, so commander gives true unless it is given. */
  check: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  json?: boolean;
}

const KUBE_ONLY = ['context', 'namespace'] as const;
const MARATHON_ONLY = ['token', 'marathonUrl', 'mesosUrl', 'caCert', 'insecure'] as const;
const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export async function run(ctx: Ctx, [url]: readonly [string | undefined], opts: SetupFlags): Promise<void> {
  let status: ClusterStatus;
  if (opts.kubeconfig !== undefined) {
    if (url !== undefined) throw new UsageError('Give a cluster URL or --kubeconfig, not both: the kubeconfig names the API server');
    const other = MARATHON_ONLY.find((k) => opts[k] !== undefined && opts[k] !== false);
    if (other) throw new UsageError(`${flag(other)} is for DC/OS and Marathon clusters; a Kubernetes cluster's credentials come from its kubeconfig`);
    status = await clusterSetupKubernetes(actions(ctx), { kubeconfig: opts.kubeconfig, context: opts.context, namespace: opts.namespace, name: opts.name, check: opts.check !== false });
  } else {
    if (url === undefined) throw new UsageError('Give the cluster URL, or --kubeconfig <file> for a Kubernetes cluster');
    const other = KUBE_ONLY.find((k) => opts[k] !== undefined);
    if (other) throw new UsageError(`${flag(other)} goes with --kubeconfig (a Kubernetes cluster)`);
    status = await clusterSetup(actions(ctx), {
      url,
      name: opts.name,
      token: opts.token ?? ctx.env.DCOS_ACS_TOKEN,
      marathonUrl: opts.marathonUrl,
      mesosUrl: opts.mesosUrl,
      caCert: opts.caCert,
      insecure: Boolean(opts.insecure),
      check: opts.check !== false,
    });
  }
  if (opts.json) printJson(ctx, status);
  info(ctx, `Attached to ${KIND[status.kind]} cluster [${status.name}] at ${status.url}${versionText(status)}`);
}

const KIND: Record<ClusterStatus['kind'], string> = { dcos: 'DC/OS', marathon: 'Marathon', kubernetes: 'Kubernetes', local: 'local' };

function versionText(status: ClusterStatus): string {
  if (!status.version) return '';
  return status.kind === 'kubernetes' ? ` (Kubernetes ${status.version}, namespace ${status.namespace})` : ` (Marathon ${status.version})`;
}
