/**
 * The Mesos master and agent read API and DC/OS metadata, as `dcos task`, `dcos node`,
 * `dcos service` and `dcos task log` read them. The files API serves only task sandboxes.
 */
import { join, relative, resolve } from 'node:path';
import { browse, isWithin, NotRegularFileError, openConfined, OutsideSandboxError, readFileRange, resolveInside, type ConfinedEntry } from '../agent/sandbox.js';
import type { Cluster } from '../core/cluster.js';
import { agentState, masterState, mesosTask, stateSummary } from '../core/mesos-views.js';
import { HttpError, notFound, type Request, type Router } from './http.js';

export function mesosRoutes(router: Router, cluster: Cluster, used: () => import('../core/resources.js').Resources): void {
  const { state, node } = cluster;
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
      return { body: agentState(state, node, used()) };
    });
    router.on('GET', `/agent/:agentId/${suffix}`, (req) => {
      agent(req);
      return { body: agentState(state, node, used()) };
    });
  }

  /** Whether a real path lies in a task's sandbox: not the directories that hold them (`<sandbox>/../..`
   * would list every task's files and the agent's own layout). */
  const inSomeSandbox = (real: string): boolean => {
    const realRoot = resolveInside(sandboxRoot, '.');
    if (realRoot === null || !isWithin(realRoot, real)) return false;
    const sandboxes = [...state.tasks.values(), ...state.completed].map((t) => resolve(realRoot, relative(sandboxRoot, t.sandbox)));
    return sandboxes.some((sandbox) => isWithin(sandbox, real));
  };
  const filePath = (req: Request): string => {
    const requested = req.query.get('path');
    if (requested === null || requested === '') throw new HttpError(400, { message: "Expecting 'path=value' in query." });
    const resolved = resolveInside(sandboxRoot, requested);
    if (resolved === null) {
      // Outside the sandboxes, or missing: say not found without revealing which.
      throw new HttpError(requested.startsWith(sandboxRoot) ? 404 : 403, { message: `Cannot access '${requested}'` });
    }
    if (!inSomeSandbox(resolved)) throw new HttpError(403, { message: `Cannot access '${requested}'` });
    return resolved;
  };
  /** Opens the checked path, and checks again what was opened: the task may have swapped it since. */
  const openChecked = async (req: Request): Promise<ConfinedEntry & { path: string }> => {
    const path = filePath(req);
    try {
      return { ...(await openConfined(path, inSomeSandbox)), path };
    } catch (err) {
      if (err instanceof OutsideSandboxError || (err as NodeJS.ErrnoException).code === 'ELOOP') {
        throw new HttpError(403, { message: `Cannot access '${req.query.get('path')}'` });
      }
      if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) throw notFound(`Cannot access '${req.query.get('path')}'`);
      throw err;
    }
  };
  const readFile = async (req: Request) => {
    const offset = Number(req.query.get('offset') ?? 0);
    const lengthParam = req.query.get('length');
    const length = lengthParam === null ? null : Number(lengthParam);
    // -1 is the only negative value either takes (size query / read to the end).
    if (!Number.isInteger(offset) || offset < -1 || (length !== null && (!Number.isInteger(length) || length < -1))) {
      throw new HttpError(400, { message: 'Failed to parse offset or length' });
    }
    const opened = await openChecked(req);
    try {
      if (opened.stats.isDirectory()) throw new HttpError(400, { message: `'${req.query.get('path')}' is a directory` });
      return { body: await readFileRange(opened.handle, offset, length) };
    } catch (err) {
      if (err instanceof NotRegularFileError) throw new HttpError(400, { message: `'${req.query.get('path')}' is not a regular file` });
      throw err;
    } finally {
      await opened.handle.close();
    }
  };
  const browseDir = async (req: Request) => {
    const opened = await openChecked(req);
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
