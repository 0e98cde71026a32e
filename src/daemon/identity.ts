/**
 * Which cluster a data dir is, checked before the daemon touches anything in it.
 *
 * A cluster's identity is its agent id: stored in state.db, mirrored in the data dir's
 * `cluster-id` file, and given to every task as DCOS_AGENT_ID, so a daemon adopts and kills only
 * processes that carry its own. The data dir's device and inode are stored next to it: a copy of
 * the data dir has other ones while the original still exists, and so takes identities of its own
 * (agent, framework, master, token) instead of sharing the original's tasks.
 *
 * A database that is not this cluster's (empty, not SQLite, another cluster's) is refused, with
 * what was found and how to recover, rather than started as an empty cluster beside the tasks
 * of the one that was lost.
 */
import { dirKey } from '../core/dir-key.js';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { closeSync, openSync, readdirSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';
import { envValue, findProcesses } from './agent/process-identity.js';
import { STORE_TABLES, Store } from './store/store.js';

/** The daemon refuses the data dir: what it found there, and what the user can do about it. */
export class DataDirRefused extends Error {
  constructor(
    readonly found: string,
    readonly recovery: string,
  ) {
    super(found);
  }
}

export interface ClusterIdentity {
  store: Store;
  agentId: string;
  frameworkId: string;
  masterId: string;
  /** Set when this data dir turned out to be a copy: the original's path and agent id. */
  copiedFrom?: { path: string; agentId: string };
}

interface Home {
  key: string;
  path: string;
}

/** The store's tables, and SQLite's own for its AUTOINCREMENT column. */
const OUR_TABLES = new Set([...STORE_TABLES, 'sqlite_sequence']);

type Peek =
  | { kind: 'absent' | 'empty' }
  | { kind: 'other'; why: string }
  | { kind: 'sqlite'; agentId?: string };

/** What state.db holds, read without writing to it (the store would add its tables). */
function peekDatabase(file: string): Peek {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw err;
  }
  try {
    const header = Buffer.alloc(16);
    const n = readSync(fd, header, 0, 16, 0);
    if (n === 0) return { kind: 'empty' };
    if (n < 16 || header.toString('latin1') !== 'SQLite format 3\0') return { kind: 'other', why: 'is not an SQLite database' };
  } finally {
    closeSync(fd);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
    const foreign = tables.filter((t) => !OUR_TABLES.has(t));
    if (foreign.length > 0) return { kind: 'other', why: `is the database of something else (tables ${foreign.slice(0, 5).join(', ')})` };
    if (!tables.includes('meta')) return { kind: 'sqlite' };
    const row = db.prepare("SELECT value FROM meta WHERE key = 'agentId'").get() as { value: string } | undefined;
    return { kind: 'sqlite', agentId: row?.value || undefined };
  } catch (err) {
    return { kind: 'other', why: `cannot be read as a database (${(err as Error).message})` };
  } finally {
    db?.close();
  }
}

function readIdFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Live processes of tasks that ran from this data dir: those whose DCOS_AGENT_ID is one of the
 * given agent ids (this dir's clusters: its `cluster-id`, its `slaves/<agentId>` sandboxes), or
 * whose MESOS_SANDBOX lies in its sandboxes.
 */
function taskProcessesOf(dataDir: string, agentIds: ReadonlySet<string>): number[] {
  const roots = [join(dataDir, 'slaves') + '/'];
  try {
    roots.push(join(realpathSync(dataDir), 'slaves') + '/');
  } catch {
    // gone: the plain path is all there is
  }
  return findProcesses((environ, pid) => {
    if (pid === process.pid) return false;
    const agentId = envValue(environ, 'DCOS_AGENT_ID');
    if (agentId !== null && agentIds.has(agentId)) return true;
    const sandbox = envValue(environ, 'MESOS_SANDBOX');
    return sandbox !== null && roots.some((r) => sandbox.startsWith(r));
  });
}

function agentIdsSeenIn(dataDir: string, recorded: string | undefined): Set<string> {
  const ids = new Set<string>(recorded ? [recorded] : []);
  try {
    for (const name of readdirSync(join(dataDir, 'slaves'))) ids.add(name);
  } catch {
    // no sandboxes yet
  }
  return ids;
}

function describeProcesses(pids: number[]): string {
  const shown = pids.length > 20 ? `${pids.slice(0, 20).join(', ')}, ...` : pids.join(', ');
  return `${pids.length} process(es) of its tasks still run (pid ${shown})`;
}

/** Whether the data dir recorded as `home` still exists there as the cluster `agentId`. */
function originalStillThere(home: Home, agentId: string): boolean {
  try {
    return dirKey(home.path) === home.key && readIdFile(join(home.path, 'cluster-id')) === agentId;
  } catch {
    return false;
  }
}

/**
 * Opens this data dir's store after checking that it is this cluster's, creating a new cluster
 * in a data dir that never held one. Throws DataDirRefused otherwise.
 */
export function openClusterStore(dataDir: string, log: (message: string) => void): ClusterIdentity {
  const dbFile = join(dataDir, 'state.db');
  const idFile = join(dataDir, 'cluster-id');
  const recordedId = readIdFile(idFile);
  const peek = peekDatabase(dbFile);
  const kind = peek.kind;
  const restart = `${dataDir} and start the cluster again (dcos cluster up)`;

  if (peek.kind === 'other') {
    throw new DataDirRefused(
      `${dbFile} ${peek.why}, so it is not this cluster's state`,
      `put this cluster's own state.db back into ${restart}; to start a new, empty cluster there instead, remove ${dbFile} and ${idFile}`,
    );
  }
  const storedId = peek.kind === 'sqlite' ? peek.agentId : undefined;

  if (storedId === undefined) {
    // No cluster in the database: a new data dir, or one whose database was lost. Only the first
    // may start empty: the second would leave the lost cluster's tasks running unowned.
    const procs = taskProcessesOf(dataDir, agentIdsSeenIn(dataDir, recordedId));
    if (recordedId !== undefined || procs.length > 0) {
      const what = kind === 'absent' ? `${dbFile} is missing` : kind === 'empty' ? `${dbFile} is empty (0 bytes)` : `${dbFile} holds no cluster`;
      const whose = recordedId !== undefined ? `this data dir is cluster ${recordedId}'s (${idFile})` : 'this data dir held a cluster';
      const stop = procs.length > 0 ? `stop those processes (kill ${procs.join(' ')}), then ` : '';
      throw new DataDirRefused(
        `${what}, but ${whose}${procs.length > 0 ? ` and ${describeProcesses(procs)}` : ''}`,
        `if you have a copy of that cluster's state.db, put it back into ${restart}${procs.length > 0 ? ': its running tasks are re-adopted' : ''}. ` +
          `To start a new, empty cluster there instead, ${stop}remove ${dbFile} and ${idFile}, and start it again.`,
      );
    }
    if (kind === 'empty') log(`${dbFile} was empty (0 bytes) and nothing else of a cluster is in ${dataDir}: starting a new cluster`);
  } else if (recordedId !== undefined && recordedId !== storedId) {
    throw new DataDirRefused(
      `${dbFile} belongs to cluster ${storedId}, but this data dir is cluster ${recordedId}'s (${idFile})`,
      `put cluster ${recordedId}'s own state.db back into ${restart}; to run cluster ${storedId} from this data dir instead, remove ${idFile}`,
    );
  }
  const db = new Store(dbFile);

  const here: Home = { key: dirKey(dataDir), path: realpathSync(dataDir) };
  // The identities and the home change together or not at all.
  const { agentId, frameworkId, masterId, copiedFrom } = db.transaction(() => {
    let copiedFrom: ClusterIdentity['copiedFrom'];
    const home = parseHome(db.getMeta('home'));
    if (storedId !== undefined && home && home.key !== here.key) {
      if (originalStillThere(home, storedId)) {
        // A copy: the original still runs (or may run again) its own tasks. This one is a new cluster.
        copiedFrom = { path: home.path, agentId: storedId };
      } else {
        log(`the data dir moved from ${home.path} to ${here.path}: same cluster`);
      }
    }
    // Made once, then kept; a copy makes its own.
    const meta = (key: string, make: () => string): string => {
      const found = copiedFrom ? undefined : db.getMeta(key);
      if (found) return found;
      const value = make();
      db.setMeta(key, value);
      return value;
    };
    const frameworkId = meta('frameworkId', () => `${randomUUID()}-0000`);
    const agentId = meta('agentId', () => `${randomUUID()}-S0`);
    const masterId = meta('masterId', () => randomUUID());
    db.setMeta('home', JSON.stringify(here));
    return { agentId, frameworkId, masterId, copiedFrom };
  });
  if (readIdFile(idFile) !== agentId) writeFileAtomic(idFile, `${agentId}\n`, 0o600);
  if (copiedFrom) {
    log(`this data dir is a copy of ${copiedFrom.path} (cluster ${copiedFrom.agentId}), which is still there: it is a new cluster, ${agentId}, and leaves the original's tasks alone`);
  }
  return { store: db, agentId, frameworkId, masterId, copiedFrom };
}

function parseHome(text: string | undefined): Home | undefined {
  if (!text) return undefined;
  try {
    const home = JSON.parse(text) as Home;
    return typeof home.key === 'string' && typeof home.path === 'string' ? home : undefined;
  } catch {
    return undefined;
  }
}
