/**
 * The Mesos master and agent read API and DC/OS metadata, as `dcos task`, `dcos node`,
 * `dcos service` and `dcos task log` read them. The files API serves only task sandboxes.
 */
import { join, relative, resolve, sep } from 'node:path';
import { browse, isWithin, NotRegularFileError, openConfined, OutsideSandboxError, readFileRange, resolveInside, type ConfinedEntry } from '../agent/sandbox.js';
import type { Cluster } from '../model/cluster.js';
import { agentState, masterState, mesosTask, stateSummary } from '../model/mesos-views.js';
import { ApiError, notFound, type Request, type Router } from './http.js';

export function mesosRoutes(router: Router, cluster: Cluster, used: () => import('../model/resources.js').Resources): void {
  const { state, node } = cluster;
  const { reservations } = cluster.runner;
  const sandboxRoot = join(node.dataDir, 'slaves');

  for (const path of ['/master/state', '/master/state.json', '/state', '/state.json']) {
    router.on('GET', path, () => ({ body: masterState(state, node, used()) }));
  }
  for (const path of ['/master/state-summary', '/state-summary']) {
    router.on('GET', path, () => ({ body: stateSummary(state, node, used()) }));
  }
  router.on('GET', '/master/tasks', (req) => {
    const all = [...state.tasks.values(), ...[...state.completed].reverse()];
    const id = req.query.get('task_id');
    const limit = Number(req.query.get('limit') ?? 100);
    const offset = Number(req.query.get('offset') ?? 0);
    const tasks = all.filter((t) => !id || t.id === id).slice(offset, offset + limit);
    return { body: { tasks: tasks.map((t) => mesosTask(t, node)) } };
  });

  const agent = (req: Request) => {
    if (req.params.agentId !== node.agentId) throw notFound(`No agent with id ${req.params.agentId}`);
  };
  for (const suffix of ['state', 'state.json']) {
    router.on('GET', `/slave/:agentId/${suffix}`, (req) => {
      agent(req);
      return { body: agentState(state, node, used(), reservations) };
    });
    router.on('GET', `/agent/:agentId/${suffix}`, (req) => {
      agent(req);
      return { body: agentState(state, node, used(), reservations) };
    });
  }

  /** Persistent volumes of the tasks (they live outside the sandboxes, and outlive them). */
  const volumesOfTasks = () =>
    [...state.tasks.values(), ...state.completed].flatMap((t) => {
      const r = reservations.get(t.reservationId);
      return r ? r.volumes.map((v) => ({ task: t, volume: v })) : [];
    });
  /**
   * Whether a real path lies in a task's sandbox (not the directories that hold them:
   * `<sandbox>/../..` would list every task's files and the agent's own layout) or in one of the
   * tasks' persistent volumes. Worked out once per request: the real roots of the sandboxes and
   * volumes of the tasks known when the request came.
   */
  const sandboxCheck = (): ((real: string) => boolean) => {
    const root = resolveInside(sandboxRoot, '.');
    const sandboxes = root === null ? [] : [...state.tasks.values(), ...state.completed].map((t) => resolve(root, relative(sandboxRoot, t.sandbox)));
    const volumes = volumesOfTasks()
      .map(({ volume }) => resolveInside(volume.path, '.'))
      .filter((v): v is string => v !== null);
    return (real) =>
      (root !== null && isWithin(root, real) && sandboxes.some((sandbox) => isWithin(sandbox, real))) || volumes.some((v) => isWithin(v, real));
  };
  /**
   * `<sandbox>/<containerPath>/...` of a task with a persistent volume there is that volume's
   * content, whether the task sees it through a link (a process) or a mount (a container).
   */
  const throughVolumes = (requested: string): string => {
    const wanted = resolve(sandboxRoot, requested);
    for (const { task, volume } of volumesOfTasks()) {
      const [first, ...rest] = relative(task.sandbox, wanted).split(sep);
      if (first === volume.containerPath) return join(volume.path, ...rest);
    }
    return wanted;
  };
  /**
   * Opens the requested path once it is checked, and checks again what was opened: the task may
   * have swapped it since. Throws ApiError, or NotRegularFileError for the caller to word.
   */
  const openChecked = async (req: Request): Promise<ConfinedEntry & { path: string }> => {
    const requested = req.query.get('path');
    if (requested === null || requested === '') throw new ApiError(400, { message: "Expecting 'path=value' in query." });
    const denied = `Cannot access '${requested}'`;
    const path = requested.includes('\0') ? null : resolveInside(node.dataDir, throughVolumes(requested));
    // Outside the sandboxes, or missing: say not found without revealing which.
    if (path === null) throw new ApiError(requested.startsWith(sandboxRoot) ? 404 : 403, { message: denied });
    const inSomeSandbox = sandboxCheck();
    if (!inSomeSandbox(path)) throw new ApiError(403, { message: denied });
    try {
      return { ...(await openConfined(path, inSomeSandbox)), path };
    } catch (err) {
      if (err instanceof NotRegularFileError) throw err;
      if (err instanceof OutsideSandboxError) throw new ApiError(403, { message: denied });
      const status = OPEN_ERROR_STATUS[(err as NodeJS.ErrnoException).code ?? ''];
      if (status === undefined) throw err;
      throw new ApiError(status, { message: status === 400 ? `'${requested}' cannot be opened: it is not a regular file or directory` : denied });
    }
  };
  const readFile = async (req: Request) => {
    const offset = Number(req.query.get('offset') ?? 0);
    const lengthParam = req.query.get('length');
    const length = lengthParam === null ? null : Number(lengthParam);
    // -1 is the only negative value either takes (size query / read to the end).
    if (!Number.isInteger(offset) || offset < -1 || (length !== null && (!Number.isInteger(length) || length < -1))) {
      throw new ApiError(400, { message: 'Failed to parse offset or length' });
    }
    let opened;
    try {
      opened = await openChecked(req);
    } catch (err) {
      if (err instanceof NotRegularFileError) throw new ApiError(400, { message: `'${req.query.get('path')}' is not a regular file: it is a ${err.kind}` });
      throw err;
    }
    try {
      if (opened.stats.isDirectory()) throw new ApiError(400, { message: `'${req.query.get('path')}' is a directory` });
      // A regular file, open: what it is cannot change now.
      return { body: await readFileRange(opened.handle, offset, length) };
    } finally {
      await opened.handle.close();
    }
  };
  const browseDir = async (req: Request) => {
    let opened;
    try {
      opened = await openChecked(req);
    } catch (err) {
      // As for a regular file: browsing what is not a directory finds nothing.
      if (err instanceof NotRegularFileError) throw notFound(`'${req.query.get('path')}' is not a directory: it is a ${err.kind}`);
      throw err;
    }
    try {
      if (!opened.stats.isDirectory()) throw notFound(`'${req.query.get('path')}' is not a directory`);
      // Named as asked: what is listed is that directory, wherever the task has renamed it since.
      return { body: await browse(opened.path, opened.handle) };
    } finally {
      await opened.handle.close();
    }
  };
  for (const prefix of ['/slave/:agentId', '/agent/:agentId', '']) {
    for (const ext of ['', '.json']) {
      router.on('GET', `${prefix}/files/read${ext}`, async (req) => {
        if (prefix) agent(req);
        return readFile(req);
      });
      router.on('GET', `${prefix}/files/browse${ext}`, async (req) => {
        if (prefix) agent(req);
        return browseDir(req);
      });
    }
  }

  router.on('GET', '/metadata', () => ({ body: { CLUSTER_ID: node.masterId, PUBLIC_IPV4: node.host } }));
  router.on('GET', '/dcos-metadata/dcos-version.json', () => ({
    body: { version: '2.2.0', 'dcos-variant': 'open', 'dcos-image-commit': 'dcos-embedded', 'bootstrap-id': node.masterId },
  }));
  // DC/OS clients take a capability as a promise of its service (Cosmos for PACKAGE_MANAGEMENT,
  // Metronome, diagnostics reports): none of those is served here.
  router.on('GET', '/capabilities', () => ({
    body: { capabilities: [] },
    headers: { 'content-type': 'application/vnd.dcos.capabilities+json;charset=utf-8;version=v1' },
  }));
  router.on('GET', '/mesos_dns/v1/hosts/:host', (req) => ({ body: [{ host: `${req.params.host}.`, ip: node.host }] }));
}

/**
 * What a failed open of a checked path means to the client: gone or never there (404), not the
 * daemon's to serve (403: a symlink loop is a swap in progress), or a file that is no file at all
 * (400: a socket or a device without a driver, where it is opened to be judged). Anything else
 * is a fault of the daemon's (500).
 */
const OPEN_ERROR_STATUS: Record<string, 400 | 403 | 404> = {
  ENOENT: 404,
  ENOTDIR: 404,
  ELOOP: 403,
  EACCES: 403,
  EPERM: 403,
  ENXIO: 400,
  ENODEV: 400,
  EOPNOTSUPP: 400,
};

/** DC/OS paths onto ours: `/service/marathon/v2/...` is `/v2/...`, `/mesos/...` is the master. */
export function rewritePath(path: string): string {
  if (path.startsWith('/service/marathon/')) return path.slice('/service/marathon'.length);
  if (path === '/service/marathon') return '/';
  if (path.startsWith('/mesos/')) {
    const rest = path.slice('/mesos'.length);
    return rest.startsWith('/master/') || rest.startsWith('/files/') ? rest : `/master${rest}`;
  }
  return path;
}
