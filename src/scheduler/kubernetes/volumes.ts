/**
 * The Mesos sandbox and Marathon's volumes. The sandbox becomes an emptyDir at the path the Mesos
 * Docker containerizer uses (/mnt/mesos/sandbox, also the working directory), so commands that
 * `cd "$MESOS_SANDBOX"` or write relative paths keep working. Persistent volumes become volume
 * claim templates (the app becomes a StatefulSet), mounted where Marathon mounts them: a relative
 * containerPath inside the sandbox. Host volumes become hostPath volumes; a relative hostPath
 * names a path in the sandbox (or a persistent volume), as in Mesos.
 */
import type { AppVolume } from '../../marathon/app-types.js';
import type { PersistentVolumeClaimTemplate, Volume, VolumeMount } from './objects.js';
import { volumeName } from './names.js';
import type { Findings } from './problems.js';
import { mebibytes } from './resources.js';

export const SANDBOX_PATH = '/mnt/mesos/sandbox';
export const SANDBOX_VOLUME = 'mesos-sandbox';

export interface PodVolumes {
  volumes: Volume[];
  mounts: VolumeMount[];
  claims: PersistentVolumeClaimTemplate[];
}

const KNOWN_KEYS = new Set(['containerPath', 'hostPath', 'mode', 'persistent', 'external', 'secret']);

export function podVolumes(volumes: AppVolume[], opts: { storageClass?: string; labels: Record<string, string> }, findings: Findings): PodVolumes {
  const out: PodVolumes = {
    volumes: [{ name: SANDBOX_VOLUME, emptyDir: {} }],
    mounts: [{ name: SANDBOX_VOLUME, mountPath: SANDBOX_PATH }],
    claims: [],
  };
  const names = new Set([SANDBOX_VOLUME]);
  const unique = (base: string): string => {
    let name = base;
    for (let n = 2; names.has(name); n += 1) name = `${base}-${n}`;
    names.add(name);
    return name;
  };
  const mountPathOf = (containerPath: string): string =>
    containerPath.startsWith('/') ? containerPath : `${SANDBOX_PATH}/${containerPath.replace(/^\.\/+/, '').replace(/\/+$/, '')}`;
  // Claims first: a host volume may name a persistent volume by its containerPath.
  const claimOf = new Map<string, string>();
  volumes.forEach((volume, i) => {
    const path = `container.volumes[${i}]`;
    if (!volume.persistent || typeof volume.containerPath !== 'string') return;
    const name = unique(volumeName(volume.containerPath));
    claimOf.set(volume.containerPath.replace(/\/+$/, ''), name);
    const { size, type, maxSize, constraints, ...rest } = volume.persistent;
    if (type && type !== 'root') findings.note(`${path}.persistent.type ${type} not used: the storage class decides what backs the claim`);
    if (maxSize !== undefined) findings.note(`${path}.persistent.maxSize not used: a claim asks for its size (${size} MiB)`);
    if (constraints && constraints.length) findings.refuse(`${path}.persistent.constraints`, 'disk constraints have no claim counterpart: choose a storage class instead');
    if (Object.keys(rest).length) findings.note(`${path}.persistent.${Object.keys(rest).join(', ')} not used`);
    out.claims.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, labels: { ...opts.labels } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(opts.storageClass ? { storageClassName: opts.storageClass } : {}),
        resources: { requests: { storage: mebibytes(size) } },
      },
    });
  });
  volumes.forEach((volume, i) => {
    const path = `container.volumes[${i}]`;
    const unknown = Object.keys(volume).filter((k) => !KNOWN_KEYS.has(k));
    if (unknown.length) findings.refuse(`${path}.${unknown[0]}`, `a volume with ${unknown.join(', ')} has no Kubernetes translation yet`);
    if (volume.external) {
      findings.refuse(`${path}.external`, 'external volumes (DVDI/REX-Ray) have no translation: use a persistent volume, which becomes a claim');
      return;
    }
    if (volume.secret !== undefined) {
      findings.refuse(`${path}.secret`, 'secret volumes come from the DC/OS secret store, which Kubernetes cannot read: mount a Kubernetes Secret instead (not translated yet)');
      return;
    }
    if (typeof volume.containerPath !== 'string' || volume.containerPath === '') {
      findings.refuse(`${path}.containerPath`, 'a volume needs a containerPath');
      return;
    }
    const readOnly = volume.mode === 'RO' ? { readOnly: true } : {};
    const mountPath = mountPathOf(volume.containerPath);
    if (volume.persistent) {
      const claim = claimOf.get(volume.containerPath.replace(/\/+$/, '')) as string;
      out.mounts.push({ name: claim, mountPath, ...readOnly });
      return;
    }
    if (typeof volume.hostPath !== 'string' || volume.hostPath === '') {
      findings.refuse(path, 'a volume needs persistent, hostPath, external or secret');
      return;
    }
    if (volume.hostPath.startsWith('/')) {
      const name = unique(`host-${i}`);
      out.volumes.push({ name, hostPath: { path: volume.hostPath } });
      out.mounts.push({ name, mountPath, ...readOnly });
      findings.note(`${path}.hostPath ${volume.hostPath} -> a hostPath volume: the path must exist on every node the pod may run on`);
      return;
    }
    const relative = volume.hostPath.replace(/^\.\/+/, '').replace(/\/+$/, '');
    const claim = claimOf.get(relative);
    if (claim) {
      out.mounts.push({ name: claim, mountPath, ...readOnly });
      return;
    }
    if (relative.split('/').includes('..')) {
      findings.refuse(`${path}.hostPath`, 'a relative hostPath must stay inside the sandbox');
      return;
    }
    out.mounts.push({ name: SANDBOX_VOLUME, mountPath, subPath: relative, ...readOnly });
  });
  // The StatefulSet controller adds a volume for each claim template itself.
  return out;
}
