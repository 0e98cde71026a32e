/**
 * Kubeconfig files as kubectl reads them: `KUBECONFIG` (several files, the first to set a value
 * wins) or `~/.kube/config`, a context (the current one by default) naming a cluster and a user,
 * and the user's credentials: client certificates, bearer tokens (inline or from a file), basic
 * auth, CA data, insecure-skip-tls-verify and exec credential plugins. Paths in a file are
 * relative to that file.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { DcosError } from '../../core/errors.js';

interface Named<T> {
  name: string;
  value: T;
  /** The file it came from: its relative paths are relative to it. */
  file: string;
}

export interface ExecConfig {
  apiVersion?: string;
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  installHint?: string;
  provideClusterInfo?: boolean;
}

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  'auth-provider'?: { name?: string };
}

interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** Everything needed to reach the API server of one context. */
export interface KubeConnection {
  context: string;
  server: string;
  namespace: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Read again on each connection: a projected service-account token rotates. */
  tokenFile?: string;
  basic?: { username: string; password: string };
  exec?: ExecConfig & { dir: string };
  insecure: boolean;
  tlsServerName?: string;
  /** The files the configuration came from, for messages. */
  files: string[];
}

export interface KubeconfigSource {
  /** An explicit file (`--kubeconfig`); otherwise KUBECONFIG, then ~/.kube/config. */
  file?: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function kubeconfigFiles(source: KubeconfigSource): string[] {
  if (source.file) return [resolve(source.cwd, source.file)];
  const list = source.env.KUBECONFIG?.split(delimiter).filter(Boolean);
  if (list?.length) return list.map((f) => resolve(source.cwd, f));
  return [join(source.env.HOME ?? homedir(), '.kube', 'config')];
}

interface Loaded {
  clusters: Array<Named<ClusterEntry>>;
  users: Array<Named<UserEntry>>;
  contexts: Array<Named<ContextEntry>>;
  currentContext?: string;
  files: string[];
}

function readOne(file: string, required: boolean): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DcosError('EKUBECONFIG', `Cannot read the kubeconfig ${file}: ${(err as Error).message}`, {
      hint: 'Give one with --kubeconfig, or set KUBECONFIG.',
    });
  }
  try {
    const doc = parse(text) as unknown;
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('it is not a mapping');
    return doc as Record<string, unknown>;
  } catch (err) {
    throw new DcosError('EKUBECONFIG', `The kubeconfig ${file} is not valid YAML: ${(err as Error).message}`);
  }
}

function entries<T>(doc: Record<string, unknown>, key: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context', file: string): Array<Named<T>> {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new DcosError('EKUBECONFIG', `${file}: "${key}" is not a list`);
  return list.map((item: unknown, i) => {
    const entry = item as { name?: unknown } & Record<string, unknown>;
    if (typeof entry?.name !== 'string') throw new DcosError('EKUBECONFIG', `${file}: ${key}[${i}] has no name`);
    return { name: entry.name, value: (entry[inner] ?? {}) as T, file };
  });
}

/** All the files merged as kubectl merges them: the first file that names an entry wins. */
export function loadKubeconfig(source: KubeconfigSource): Loaded {
  const files = kubeconfigFiles(source);
  const out: Loaded = { clusters: [], users: [], contexts: [], files: [] };
  const add = <T>(into: Array<Named<T>>, more: Array<Named<T>>) => {
    for (const e of more) if (!into.some((x) => x.name === e.name)) into.push(e);
  };
  for (const file of files) {
    // An explicit file must exist; a KUBECONFIG list may name files that do not.
    const doc = readOne(file, Boolean(source.file) || files.length === 1);
    if (!doc) continue;
    out.files.push(file);
    add(out.clusters, entries<ClusterEntry>(doc, 'clusters', 'cluster', file));
    add(out.users, entries<UserEntry>(doc, 'users', 'user', file));
    add(out.contexts, entries<ContextEntry>(doc, 'contexts', 'context', file));
    if (out.currentContext === undefined && typeof doc['current-context'] === 'string' && doc['current-context']) out.currentContext = doc['current-context'];
  }
  return out;
}

const pathIn = (file: string, p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));

function readPem(file: string, what: string, path: string): Buffer {
  try {
    return readFileSync(pathIn(file, path));
  } catch (err) {
    throw new DcosError('EKUBECONFIG', `Cannot read the ${what} ${pathIn(file, path)} (named in ${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function contextNames(source: KubeconfigSource): { names: string[]; current?: string } {
  const loaded = loadKubeconfig(source);
  return { names: loaded.contexts.map((c) => c.name), current: loaded.currentContext };
}

/** The connection of a context (default: the current one); the namespace given wins over the context's. */
export function resolveConnection(source: KubeconfigSource, opts: { context?: string; namespace?: string } = {}): KubeConnection {
  const loaded = loadKubeconfig(source);
  const where = loaded.files.join(', ') || kubeconfigFiles(source).join(', ');
  const name = opts.context ?? loaded.currentContext;
  if (!name) {
    throw new DcosError('EKUBECONFIG', `The kubeconfig (${where}) has no current context`, {
      hint: loaded.contexts.length ? `Choose one with --context: ${loaded.contexts.map((c) => c.name).join(', ')}` : 'It has no contexts at all.',
    });
  }
  const ctx = loaded.contexts.find((c) => c.name === name);
  if (!ctx) {
    throw new DcosError('EKUBECONFIG', `The kubeconfig (${where}) has no context [${name}]`, {
      hint: loaded.contexts.length ? `Its contexts: ${loaded.contexts.map((c) => c.name).join(', ')}` : 'It has no contexts at all.',
    });
  }
  const cluster = loaded.clusters.find((c) => c.name === ctx.value.cluster);
  if (!cluster) throw new DcosError('EKUBECONFIG', `Context [${name}] names cluster [${ctx.value.cluster ?? ''}], which ${where} does not have`);
  const server = cluster.value.server;
  if (!server || !/^https?:\/\//.test(server)) throw new DcosError('EKUBECONFIG', `Cluster [${cluster.name}] in ${cluster.file} has no http(s) server URL (got "${server ?? ''}")`);
  const user = ctx.value.user ? loaded.users.find((u) => u.name === ctx.value.user) : undefined;
  if (ctx.value.user && !user) throw new DcosError('EKUBECONFIG', `Context [${name}] names user [${ctx.value.user}], which ${where} does not have`);
  const u = user?.value ?? {};
  const c = cluster.value;
  if (u['auth-provider']) {
    throw new DcosError('EKUBECONFIG', `User [${user?.name}] uses the auth provider "${u['auth-provider'].name ?? '?'}", which kubectl itself no longer supports`, {
      hint: 'Use an exec credential plugin instead (for example kubelogin, or your cloud\'s "get-token" command).',
    });
  }
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const conn: KubeConnection = {
    context: name,
    server: server.replace(/\/+$/, ''),
    namespace: opts.namespace ?? ctx.value.namespace ?? 'default',
    insecure: c['insecure-skip-tls-verify'] === true,
    files: loaded.files,
    ...(c['certificate-authority-data'] ? { ca: b64(c['certificate-authority-data']) } : c['certificate-authority'] ? { ca: readPem(cluster.file, 'certificate authority', c['certificate-authority']) } : {}),
    ...(c['tls-server-name'] ? { tlsServerName: c['tls-server-name'] } : {}),
  };
  if (user) {
    if (u['client-certificate-data']) conn.cert = b64(u['client-certificate-data']);
    else if (u['client-certificate']) conn.cert = readPem(user.file, 'client certificate', u['client-certificate']);
    if (u['client-key-data']) conn.key = b64(u['client-key-data']);
    else if (u['client-key']) conn.key = readPem(user.file, 'client key', u['client-key']);
    if (Boolean(conn.cert) !== Boolean(conn.key)) throw new DcosError('EKUBECONFIG', `User [${user.name}] in ${user.file} has a client ${conn.cert ? 'certificate without its key' : 'key without its certificate'}`);
    if (u.token) conn.token = u.token;
    else if (u.tokenFile) conn.tokenFile = pathIn(user.file, u.tokenFile);
    if (u.username !== undefined && u.password !== undefined) conn.basic = { username: u.username, password: u.password };
    if (u.exec) {
      if (!u.exec.command) throw new DcosError('EKUBECONFIG', `User [${user.name}] in ${user.file}: exec has no command`);
      conn.exec = { ...u.exec, dir: dirname(user.file) };
    }
  }
  return conn;
}
