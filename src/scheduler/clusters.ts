/**
 * The clusters dcos knows (local embedded ones, remote DC/OS or Marathon ones, Kubernetes ones)
 * and which one is attached. Attaching sets core.dcos_url and core.dcos_acs_token, as the DC/OS
 * CLI does, so `dcos config show core.dcos_url` and scripts with curl reach the same API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionCtx } from '../core/context.js';
import { DcosError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { writeFileAtomic } from '../core/atomic-file.js';

export interface LocalCluster {
  name: string;
  kind: 'local';
  dataDir: string;
  /** The port it last listened on, reused when it starts again. */
  port?: number;
}

export interface RemoteCluster {
  name: string;
  kind: 'dcos' | 'marathon';
  url: string;
  marathonUrl?: string;
  mesosUrl?: string;
  token?: string;
  caCert?: string;
  insecure?: boolean;
}

/** A Kubernetes cluster: a context of a kubeconfig, and the namespace services go to. */
export interface KubernetesCluster {
  name: string;
  kind: 'kubernetes';
  /** The API server, as the kubeconfig said when attached (for messages and core.dcos_url). */
  url: string;
  /** The kubeconfig file; absent: KUBECONFIG or ~/.kube/config when used, as kubectl reads them. */
  kubeconfig?: string;
  context: string;
  namespace?: string;
}

export type ClusterEntry = LocalCluster | RemoteCluster | KubernetesCluster;

interface Registry {
  clusters: ClusterEntry[];
  attached?: string;
}

function registryFile(ctx: ActionCtx): string {
  return join(ctx.paths.config, 'clusters.json');
}

export function loadRegistry(ctx: ActionCtx): Registry {
  const file = registryFile(ctx);
  if (!existsSync(file)) return { clusters: [] };
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Registry;
    if (!Array.isArray(value.clusters)) throw new Error('"clusters" is not a list');
    return value;
  } catch (err) {
    throw new DcosError('ECONFIG', `Cannot read the cluster list ${file}: ${(err as Error).message}`, {
      hint: 'Fix or delete the file (deleting it forgets the clusters, not their data).',
    });
  }
}

export function saveRegistry(ctx: ActionCtx, registry: Registry): void {
  const file = registryFile(ctx);
  // It holds cluster tokens: only its owner may read it.
  writeFileAtomic(file, JSON.stringify(registry, null, 2) + '\n', 0o600);
}

export function findCluster(registry: Registry, name: string): ClusterEntry {
  const found = registry.clusters.find((c) => c.name === name);
  if (!found) {
    throw new DcosError('ECLUSTER_UNKNOWN', `No cluster named [${name}]`, {
      hint: didYouMean(name, registry.clusters.map((c) => c.name)) ?? 'See the clusters with "dcos cluster list".',
    });
  }
  return found;
}

export function upsertCluster(registry: Registry, entry: ClusterEntry): void {
  const i = registry.clusters.findIndex((c) => c.name === entry.name);
  if (i >= 0) registry.clusters[i] = entry;
  else registry.clusters.push(entry);
}

/** The default data dir of a local cluster. */
export function defaultDataDir(ctx: ActionCtx, name: string): string {
  return join(ctx.paths.data, 'clusters', name);
}
