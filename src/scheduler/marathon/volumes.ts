/**
 * Persistent volumes of apps, as the agents report them: Mesos lists each volume among an agent's
 * reserved resources (a disk with a persistence id, labelled with the instance that reserved it).
 * The embedded cluster adds what each volume uses; a DC/OS agent does not measure that.
 */
import { hasPersistentVolumes } from '../../marathon/validate-container.js';
import type { Service, VolumeRow } from '../types.js';
import type { MarathonClient } from './client.js';

interface ReservedDisk {
  name?: string;
  scalar?: { value?: number };
  reservation?: { labels?: { labels?: Array<{ key: string; value: string }> } };
  disk?: { persistence?: { id?: string }; volume?: { container_path?: string } };
  used_bytes?: number;
}

/** The persistent volumes of the given apps, by app id; the agents are asked only if one has any. */
export async function volumesOf(client: MarathonClient, apps: readonly Service[]): Promise<Map<string, VolumeRow[]>> {
  const out = new Map<string, VolumeRow[]>();
  // Only when one declares persistent volumes are the agents asked.
  const resident = apps.filter((a) => hasPersistentVolumes(a.definition));
  if (resident.length === 0) return out;
  const state = await client.mesosState();
  const agents = await Promise.all((state.slaves ?? []).map((s) => client.agentState(s.id).catch(() => undefined)));
  const running = new Map<string, string>();
  for (const app of resident) for (const t of app.tasks ?? []) for (const v of t.volumes ?? []) running.set(v.persistenceId, t.id);
  for (const agent of agents) {
    const reserved = (agent?.reserved_resources_full ?? {}) as Record<string, ReservedDisk[]>;
    for (const resource of Object.values(reserved).flat()) {
      const persistenceId = resource.disk?.persistence?.id;
      if (resource.name !== 'disk' || !persistenceId) continue;
      const labels = new Map((resource.reservation?.labels?.labels ?? []).map((l) => [l.key, l.value]));
      const app = resident.find((a) => labels.get('dcos_app_id') === a.id || persistenceId.startsWith(`${safeId(a.id)}#`));
      if (!app) continue;
      const taskId = labels.get('dcos_running_task_id') ?? running.get(persistenceId);
      const row: VolumeRow = {
        appId: app.id,
        instanceId: labels.get('marathon_task_id') ?? '',
        persistenceId,
        containerPath: resource.disk?.volume?.container_path ?? persistenceId.split('#')[1] ?? '',
        sizeMb: resource.scalar?.value ?? 0,
        usedBytes: typeof resource.used_bytes === 'number' ? resource.used_bytes : null,
        state: labels.get('dcos_state') ?? (taskId ? 'in use' : 'suspended'),
        ...(taskId ? { taskId } : {}),
      };
      out.set(app.id, [...(out.get(app.id) ?? []), row]);
    }
  }
  return out;
}

function safeId(appId: string): string {
  return appId.replace(/^\//, '').replace(/\//g, '_');
}
