/** `/v2/groups`: the group tree, synthesised from app ids (apps are the only thing we store). */
import type { NodeInfo } from '../model/node-info.js';
import type { ClusterState } from '../model/state.js';
import { appInfo } from '../model/views.js';

function parentGroup(id: string): string {
  const cut = id.lastIndexOf('/');
  return cut <= 0 ? '/' : id.slice(0, cut);
}

/** The group `id` with its apps and subgroups, or undefined when no app lives under it. */
export function groupJson(state: ClusterState, node: NodeInfo, id: string, embed: string[]): Record<string, unknown> | undefined {
  const apps = [...state.apps.values()];
  const under = (g: string) => apps.filter((a) => (g === '/' ? true : a.id.startsWith(`${g}/`)));
  if (id !== '/' && under(id).length === 0) return undefined;
  const children = new Set<string>();
  for (const app of under(id)) {
    const rest = app.id.slice(id === '/' ? 1 : id.length + 1).split('/');
    if (rest.length > 1) children.add(id === '/' ? `/${rest[0]}` : `${id}/${rest[0]}`);
  }
  const withTasks = embed.some((e) => e.endsWith('apps.tasks'));
  const versions = apps.map((a) => a.version).sort();
  return {
    id,
    apps: apps.filter((a) => parentGroup(a.id) === id).map((a) => appInfo(a, state, node, { tasks: withTasks })),
    groups: [...children].sort().map((g) => groupJson(state, node, g, embed)),
    pods: [],
    dependencies: [],
    version: versions[versions.length - 1] ?? new Date(node.startedAt).toISOString(),
    enforceRole: false,
  };
}
