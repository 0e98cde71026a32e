/** Marathon's v2 API over the cluster (apps, tasks, deployments, queue, groups, info, events). */
import { normalizeAppId } from '../../marathon/app-id.js';
import { lookUpUserOf } from '../model/app-changes.js';
import type { Cluster } from '../model/cluster.js';
import { queueEntryJson, declinedOfferSteps } from '../engine/queue.js';
import type { Task } from '../types.js';
import { appDefinition, appInfo, taskJson, type AppEmbeds } from '../model/views.js';
import { groupJson } from './groups.js';
import { ApiError, notFound, queryBool, type Request, type Router } from './http.js';
import { streamEvents } from './events.js';

const VERSION = '1.10.17';

function embeds(req: Request, prefix: 'apps' | 'app'): AppEmbeds {
  const values = req.query.getAll('embed');
  const has = (name: string) => values.includes(`${prefix}.${name}`);
  return {
    tasks: prefix === 'app' || has('tasks') || has('failures'),
    lastTaskFailure: prefix === 'app' || has('lastTaskFailure') || has('failures'),
    taskStats: has('taskStats'),
  };
}

/** Label selectors: `k`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, comma = AND. */
function labelFilter(selector: string | null): (labels: Record<string, string>) => boolean {
  if (!selector) return () => true;
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  const tests = parts.map((part) => {
    const p = part.trim();
    let m = /^(.+?)\s+(in|notin)\s+\((.*)\)$/.exec(p);
    if (m) {
      const values = m[3].split(',').map((v) => v.trim());
      const key = m[1].trim();
      return m[2] === 'in' ? (l: Record<string, string>) => values.includes(l[key]) : (l: Record<string, string>) => !values.includes(l[key]);
    }
    m = /^(.+?)\s*(==|!=)\s*(.*)$/.exec(p);
    if (m) {
      const [key, op, value] = [m[1].trim(), m[2], m[3].trim()];
      return op === '==' ? (l: Record<string, string>) => l[key] === value : (l: Record<string, string>) => l[key] !== value;
    }
    return (l: Record<string, string>) => p in l;
  });
  return (labels) => tests.every((t) => t(labels));
}

function deploymentReply(_cluster: Cluster, result: { deploymentId: string; version: string }, status = 200) {
  const headers: Record<string, string> = { 'Marathon-Deployment-Id': result.deploymentId };
  return { status, body: { deploymentId: result.deploymentId, version: result.version }, headers };
}

/** `/v2/apps/{id}` ids come without the leading slash; a trailing `/*` means a group's apps. */
function idOf(req: Request): string {
  return normalizeAppId(req.params.id);
}

export function marathonRoutes(router: Router, cluster: Cluster): void {
  const { state, node } = cluster;

  router.on('GET', '/v2/apps', (req) => {
    const idFilter = req.query.get('id')?.toLowerCase();
    const cmdFilter = req.query.get('cmd')?.toLowerCase();
    const labels = labelFilter(req.query.get('label'));
    const apps = [...state.apps.values()]
      .filter((a) => (!idFilter || a.id.toLowerCase().includes(idFilter)) && (!cmdFilter || (a.cmd ?? '').toLowerCase().includes(cmdFilter)) && labels(a.labels ?? {}))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((a) => appInfo(a, state, node, embeds(req, 'apps')));
    return { body: { apps } };
  });

  router.on('POST', '/v2/apps', async (req) => {
    const definition = await req.body();
    await lookUpUserOf(definition);
    const { app, deployment } = cluster.createApp(definition, queryBool(req.query, 'force'));
    const body = { ...appInfo(app, state, node), deployments: [{ id: deployment.id }] };
    return { status: 201, body, headers: { Location: app.id, 'Marathon-Deployment-Id': deployment.id } };
  });

  router.on('GET', '/v2/apps/:id*/tasks', (req) => {
    const id = idOf(req);
    const apps = id.endsWith('/*') ? [...state.apps.values()].filter((a) => a.id.startsWith(id.slice(0, -1))) : [cluster.app(id)];
    return { body: { tasks: apps.flatMap((a) => state.tasksOf(a.id).map((t) => taskJson(t, node, a))) } };
  });

  router.on('DELETE', '/v2/apps/:id*/tasks/:taskId', (req) => {
    const app = cluster.app(idOf(req));
    const task = state.tasks.get(req.params.taskId);
    if (!task || task.appId !== app.id) throw notFound(`Task '${req.params.taskId}' does not exist`);
    const result = cluster.killTasks([task], { scale: queryBool(req.query, 'scale'), wipe: queryBool(req.query, 'wipe'), force: queryBool(req.query, 'force') });
    if ('tasks' in result) return { body: { task: taskJson(task, node, app) } };
    return deploymentReply(cluster, result);
  });

  router.on('DELETE', '/v2/apps/:id*/tasks', (req) => {
    const app = cluster.app(idOf(req));
    const host = req.query.get('host');
    const tasks = state.tasksOf(app.id).filter((t) => !host || host === '*' || t.host === host || host === node.hostname);
    const result = cluster.killTasks(tasks, { scale: queryBool(req.query, 'scale'), wipe: queryBool(req.query, 'wipe'), force: queryBool(req.query, 'force') });
    if ('tasks' in result) return { body: { tasks: result.tasks.map((t) => taskJson(t, node, app)) } };
    return deploymentReply(cluster, result);
  });

  router.on('GET', '/v2/apps/:id*/versions/:version', (req) => {
    const id = idOf(req);
    cluster.app(id);
    const app = state.store.appVersion<import('../model/app-changes.js').StoredApp>(id, req.params.version);
    if (!app) throw notFound(`App '${id}' does not exist in version ${req.params.version}`);
    return { body: appDefinition(app) };
  });

  router.on('GET', '/v2/apps/:id*/versions', (req) => {
    const id = idOf(req);
    cluster.app(id);
    return { body: { versions: state.store.appVersions(id) } };
  });

  router.on('POST', '/v2/apps/:id*/restart', (req) => deploymentReply(cluster, cluster.restartApp(idOf(req), queryBool(req.query, 'force'))));

  router.on('GET', '/v2/apps/:id*', (req) => {
    const id = idOf(req);
    if (id.endsWith('/*')) {
      const prefix = id.slice(0, -1);
      return { body: { '*': [...state.apps.values()].filter((a) => a.id.startsWith(prefix)).map((a) => appInfo(a, state, node, embeds(req, 'apps'))) } };
    }
    return { body: { app: appInfo(cluster.app(id), state, node, embeds(req, 'app')) } };
  });

  const update = (partialDefault: boolean, createIfMissing: boolean) => async (req: Request) => {
    const body = await req.body();
    await lookUpUserOf(body);
    const result = cluster.updateApp(idOf(req), body, {
      partial: queryBool(req.query, 'partialUpdate', partialDefault),
      force: queryBool(req.query, 'force'),
      createIfMissing,
    });
    const reply = deploymentReply(cluster, result, result.created ? 201 : 200);
    if (result.created) reply.headers.Location = idOf(req);
    return reply;
  };
  router.on('PUT', '/v2/apps/:id*', update(true, true));
  router.on('PATCH', '/v2/apps/:id*', update(true, false));

  router.on('DELETE', '/v2/apps/:id*', (req) => deploymentReply(cluster, cluster.deleteApp(idOf(req), queryBool(req.query, 'force', true))));

  router.on('GET', '/v2/tasks', (req) => {
    const wanted = [...req.query.getAll('status'), ...req.query.getAll('status[]')].map((s) => `TASK_${s.toUpperCase()}`);
    const tasks = [...state.tasks.values()].filter((t) => wanted.length === 0 || wanted.includes(t.state));
    return { body: { tasks: tasks.map((t) => taskJson(t, node, state.apps.get(t.appId))) } };
  });

  router.on('POST', '/v2/tasks/delete', async (req) => {
    const body = (await req.body()) as { ids?: unknown } | undefined;
    if (!body || !Array.isArray(body.ids) || !body.ids.every((id) => typeof id === 'string')) {
      throw new ApiError(422, { message: 'Object is not valid', details: [{ path: '/ids', errors: ['error.expected.jsarray of task id strings'] }] });
    }
    for (const id of body.ids as string[]) {
      if (!/^(.+)([._])([^_.]+)$/.test(id)) throw new ApiError(400, { message: `Invalid task id '${id}'. [${id}] does not match the task id format` });
    }
    const tasks = (body.ids as string[]).map((id) => state.tasks.get(id)).filter((t): t is Task => t !== undefined);
    const result = cluster.killTasks(tasks, { scale: queryBool(req.query, 'scale'), wipe: queryBool(req.query, 'wipe'), force: queryBool(req.query, 'force') });
    if ('tasks' in result) return { body: { tasks: result.tasks.map((t) => taskJson(t, node, state.apps.get(t.appId))) } };
    return deploymentReply(cluster, result);
  });

  router.on('GET', '/v2/deployments', () => ({
    body: [...state.deployments.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1)).map((d) => cluster.deploymentJson(d)),
  }));

  router.on('DELETE', '/v2/deployments/:id', (req) => {
    const result = cluster.deleteDeployment(req.params.id, queryBool(req.query, 'force'));
    if (!result) return { status: 202 };
    return deploymentReply(cluster, result);
  });

  router.on('GET', '/v2/queue', () => {
    const now = Date.now();
    const queue = [...cluster.scheduler.queue.entries()].flatMap(([appId, q]) => {
      const app = state.apps.get(appId);
      if (!app) return [];
      const entry = queueEntryJson(app, q.count, q.since, cluster.runner.backoffOf(appId).queueDelay(now, app), declinedOfferSteps(q.processed, q.declined), q.lastReason);
      return [{ ...entry, ...(q.message ? { lastUnusedOfferReason: q.message } : {}) }];
    });
    return { body: { queue } };
  });

  router.on('DELETE', '/v2/queue/:id*/delay', (req) => {
    const app = cluster.app(idOf(req));
    const backoff = cluster.runner.backoffOf(app.id);
    if (!backoff.hasDelay(Date.now(), app)) throw notFound(`Application ${app.id} not found in tasks queue.`);
    backoff.reset();
    cluster.scheduler.kick();
    return { status: 204 };
  });

  router.on('GET', '/v2/groups', (req) => ({ body: groupJson(state, node, '/', req.query.getAll('embed')) }));
  router.on('GET', '/v2/groups/:id*', (req) => {
    const id = normalizeAppId(req.params.id);
    const group = groupJson(state, node, id, req.query.getAll('embed'));
    if (!group) throw notFound(`Group '${id}' does not exist`);
    return { body: group };
  });

  router.on('GET', '/v2/info', () => ({
    body: {
      name: 'marathon',
      version: VERSION,
      buildref: 'dcos-embedded',
      elected: true,
      leader: `${node.host}:${new URL(node.url).port}`,
      frameworkId: node.frameworkId,
      marathon_config: {
        master: node.url,
        framework_name: 'marathon',
        hostname: node.hostname,
        local_port_min: node.servicePortRange[0],
        local_port_max: node.servicePortRange[1],
        features: [],
        executor: '//cmd',
        mesos_role: '*',
        mesos_leader_ui_url: `${node.url}/mesos`,
        task_launch_timeout: 300000,
      },
      zookeeper_config: {},
      http_config: { http_port: Number(new URL(node.url).port), https_port: 0 },
    },
  }));

  router.on('GET', '/v2/leader', () => ({ body: { leader: `${node.host}:${new URL(node.url).port}` } }));

  router.on('GET', '/ping', (req) => {
    const accept = req.headers.accept ?? '*/*';
    if (/application\/json/.test(accept) && !/text\//.test(accept)) return { body: 'pong' };
    return { body: 'pong', headers: { 'content-type': 'text/plain; charset=utf-8' } };
  });

  router.on('GET', '/v2/events', (req) => streamEvents(req, cluster.events));
}
