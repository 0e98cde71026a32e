/**
 * A task's volumes, made visible as Mesos makes them: for a plain process (no container, so no
 * mount namespace) each volume is a link in the sandbox at its containerPath, as Mesos' POSIX
 * filesystem isolator links persistent volumes; for a container each volume is a bind mount, at
 * its containerPath (a relative one under the sandbox, /mnt/mesos/sandbox).
 */
import { chownSync, lstatSync, mkdirSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { AppVolume } from '../../marathon/app-types.js';
import { CONTAINER_SANDBOX } from './containers.js';
import { LaunchError } from './launcher.js';

export interface VolumeMount {
  /** On the node. */
  source: string;
  /** Absolute, inside the container. */
  target: string;
  readOnly: boolean;
}

export interface TaskVolumeSpec {
  sandbox: string;
  /** The app's container.volumes. */
  volumes: AppVolume[];
  /** The instance's persistent volumes (resident apps): where each containerPath's data lives. */
  persistent: Array<{ containerPath: string; path: string }>;
  /** In a container: bind mounts; otherwise links in the sandbox. */
  container: boolean;
  /** The task's user, when it is not the daemon's: it must own its persistent volumes. */
  owner?: { uid: number; gid: number } | null;
}

/**
 * Prepares the task's volumes and returns the mounts a container needs (none for a process).
 * Throws a permanent LaunchError naming the volume when one cannot be honoured.
 */
export function prepareTaskVolumes(spec: TaskVolumeSpec): VolumeMount[] {
  const mounts: VolumeMount[] = [];
  spec.volumes.forEach((volume, i) => {
    const where = `container.volumes[${i}]`;
    const containerPath = volume.containerPath ?? '';
    if (volume.persistent != null) {
      const pv = spec.persistent.find((p) => p.containerPath === containerPath);
      if (!pv) throw new LaunchError(`${where}: the instance has no persistent volume for "${containerPath}"`, { permanent: false });
      mkdirSync(pv.path, { recursive: true, mode: 0o755 });
      if (spec.owner) chownSync(pv.path, spec.owner.uid, spec.owner.gid);
      if (spec.container) mounts.push({ source: pv.path, target: path.posix.join(CONTAINER_SANDBOX, containerPath), readOnly: false });
      else linkInSandbox(spec.sandbox, containerPath, pv.path, where);
      return;
    }
    if (typeof volume.hostPath === 'string') {
      const source = hostSource(volume.hostPath, spec);
      if (spec.container) {
        const target = path.posix.isAbsolute(containerPath) ? containerPath : path.posix.join(CONTAINER_SANDBOX, containerPath);
        mounts.push({ source, target, readOnly: volume.mode === 'RO' });
      } else if (path.isAbsolute(containerPath)) {
        // Without a container the task sees the node's filesystem itself: the only absolute
        // containerPath that holds is the host path's own.
        if (realOrSelf(containerPath) !== realOrSelf(source)) {
          throw new LaunchError(
            `${where}: a task without a container sees the node's own filesystem, so containerPath "${containerPath}" cannot show hostPath "${volume.hostPath}"; use a relative containerPath (a link in the sandbox) or run the app in a container`,
            { permanent: true },
          );
        }
      } else {
        linkInSandbox(spec.sandbox, containerPath, source, where);
      }
      return;
    }
    const kind = volume.external != null ? 'external' : volume.secret != null ? 'secret' : 'unknown';
    throw new LaunchError(`${where}: ${kind} volumes are not supported by the embedded cluster (only persistent and hostPath volumes)`, { permanent: true });
  });
  return mounts;
}

/**
 * Where a host volume's data lives: an absolute hostPath must exist on the node; a relative one is
 * in the sandbox, and one naming a persistent volume ("data/db" with a volume "data") is inside it,
 * which is how Marathon apps mount a persistent volume at an absolute path in a container.
 */
function hostSource(hostPath: string, spec: TaskVolumeSpec): string {
  if (path.isAbsolute(hostPath)) {
    try {
      statSync(hostPath);
    } catch {
      throw new LaunchError(`host volume: hostPath "${hostPath}" does not exist on this node`, { permanent: true });
    }
    return hostPath;
  }
  const [first, ...rest] = path.normalize(hostPath).split(path.sep);
  if (first === '..') throw new LaunchError(`host volume: hostPath "${hostPath}" leaves the sandbox`, { permanent: true });
  const pv = spec.persistent.find((p) => p.containerPath === first);
  const source = pv ? path.join(pv.path, ...rest) : path.join(spec.sandbox, hostPath);
  mkdirSync(source, { recursive: true });
  return source;
}

function linkInSandbox(sandbox: string, containerPath: string, target: string, where: string): void {
  const link = path.join(sandbox, containerPath);
  if (!path.resolve(link).startsWith(path.resolve(sandbox) + path.sep)) {
    throw new LaunchError(`${where}: containerPath "${containerPath}" leaves the sandbox`, { permanent: true });
  }
  try {
    lstatSync(link);
    throw new LaunchError(`${where}: the sandbox already has "${containerPath}" (a fetched file?), where the volume goes`, { permanent: true });
  } catch (err) {
    if (err instanceof LaunchError) throw err;
  }
  mkdirSync(path.dirname(link), { recursive: true });
  symlinkSync(target, link, 'dir');
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
