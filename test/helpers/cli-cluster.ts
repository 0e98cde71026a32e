/**
 * A real embedded cluster driven through the CLI, for the integration tests of packages: its own
 * temporary home (DCOS_DIR), `dcos` run in it, `dcos cluster up` and what it tells (the API's url,
 * the data dir, the token, the agent id), a GET client of the API, option files for --options,
 * the volume dirs and the tasks of an app, a test repository of a bundled revision (maven-dist.ts),
 * and a teardown that leaves no daemon, task or temporary directory behind.
 *
 * Also the prerequisites of the files that run real JVMs (Java 17+, Maven, perhaps javac): in CI
 * (CI=true or CI=1) a missing one fails the file, as .ci/run installs them; elsewhere the file
 * is skipped, saying why.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Json } from '../integration/support.js';
import { runCli, tempHome, writeRepositories, type CliResult, type TempHome } from './ctx.js';
import { DAEMON_MAIN, isAlive, waitFor } from './daemon.js';
import { testRepositoryOf, type TestRevision } from './maven-dist.js';

export interface CliClusterOptions {
  /** Environment of the home beyond tempHome's own, such as DCOS_NODE_DISK. */
  env?: Record<string, string>;
  /** How long `healthyTask` waits for the task, and how often it asks. */
  healthyTask?: { timeoutMs: number; intervalMs: number };
}

/**
 * The cluster of one describe block. Its home is made on first use, so a skipped block or a
 * beforeAll that fails before it leaves nothing to clean; url, token, dataDir and agentId are
 * those of the last `up()`. The functions do not use `this`, so they can be destructured.
 */
export function cliCluster(opts: CliClusterOptions = {}) {
  const wait = opts.healthyTask ?? { timeoutMs: 150_000, intervalMs: 200 };
  let made: TempHome | undefined;
  let repo: { cleanup(): void } | undefined;
  let url = '';
  let token = '';
  let dataDir = '';
  let agentId = '';
  const home = (): TempHome => (made ??= tempHome(opts.env));

  const dcos = (argv: string[]): Promise<CliResult> => runCli(argv, { env: home().env, cwd: home().dir });
  const api = async (path: string): Promise<Json> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `token=${token}` } });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const tasks = async (appId: string): Promise<Json[]> => (await api(`/v2/apps${appId}/tasks`)).tasks;
  const useTestRevisions = (pkg: string, revisions: TestRevision[]): void => {
    const copy = testRepositoryOf(pkg, revisions);
    repo = copy;
    writeRepositories(home(), [{ name: `${pkg}-test`, uri: copy.dir }]);
  };

  return {
    get home(): TempHome {
      return home();
    },
    get url() {
      return url;
    },
    get token() {
      return token;
    },
    get dataDir() {
      return dataDir;
    },
    get agentId() {
      return agentId;
    },
    dcos,
    api,
    tasks,
    /** `dcos cluster up --json` (it must succeed); returns what it printed. */
    async up(): Promise<Json> {
      const r = await dcos(['cluster', 'up', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const info = JSON.parse(r.stdout);
      ({ url, dataDir } = info);
      token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
      agentId = (await api('/mesos/master/state.json')).slaves[0].id;
      return info;
    },
    /**
     * Takes the cluster down with its tasks, starting it first if a test left it killed, and
     * removes the home and the test repository.
     */
    async down(): Promise<void> {
      try {
        if (!made) return;
        await dcos(['cluster', 'up']);
        await dcos(['cluster', 'down']);
        made.cleanup();
      } finally {
        repo?.cleanup();
      }
    },
    /**
     * Makes `<pkg>-test` the home's one repository (before `up()`): a copy of the bundled revision
     * whose assets are `uris` and whose images are `images` (maven-dist.ts's testRepository).
     */
    useTestRepository(pkg: string, revision: number, uris: Record<string, string>, images: Record<string, string> = {}): void {
      useTestRevisions(pkg, [{ revision, uris, images }]);
    },
    /** The same with several bundled revisions of the package (testRepositoryOf). */
    useTestRevisions,
    /** A file in the home, for --options. */
    options(name: string, value: unknown): string {
      const file = join(home().dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(value));
      return file;
    },
    /** The entries of <data dir>/volumes (none when it does not exist). */
    volumeDirs(): string[] {
      const root = join(dataDir, 'volumes');
      return existsSync(root) ? readdirSync(root) : [];
    },
    /** The app's one task once it is running and healthy and `accept` takes it. */
    healthyTask(appId: string, what: string, accept: (t: Json) => boolean = () => true): Promise<Json> {
      return waitFor(
        async () => {
          const all = await tasks(appId);
          const ok = all.filter((t) => t.state === 'TASK_RUNNING' && t.healthCheckResults?.[0]?.alive === true && accept(t));
          return all.length === 1 && ok.length === 1 ? ok[0] : undefined;
        },
        { what: `${appId}: ${what}`, ...wait },
      );
    },
    /** SIGKILLs the daemon that `dcos cluster status` names and waits until it is gone; returns its pid. */
    async killDaemon(): Promise<number> {
      const daemon: number = JSON.parse((await dcos(['cluster', 'status', '--json'])).stdout).pid;
      process.kill(daemon, 'SIGKILL');
      await waitFor(() => !isAlive(daemon), { what: `daemon ${daemon} gone`, timeoutMs: 10_000, intervalMs: 20 });
      return daemon;
    },
    /** A java_home in the home whose bin/java says it is `version` (as `java -version` does, on stderr). */
    fakeJavaHome(name: string, version: string): string {
      const dir = join(home().dir, name);
      mkdirSync(join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'bin', 'java'), `#!/bin/sh\necho '${version}' >&2\n`);
      chmodSync(join(dir, 'bin', 'java'), 0o755);
      return dir;
    },
  };
}

/** The persistence ids of a Marathon task's local volumes. */
export const persistenceIds = (task: Json): string[] => (task.localVolumes ?? []).map((v: Json) => v.persistenceId);

/** For beforeAll: the CLI starts the daemon from dist/, so the build must have run. */
export function requireBuild(): void {
  if (!existsSync(DAEMON_MAIN)) throw new Error('dist/ is missing: run "npm run build" first');
}

/**
 * What is missing to run real JVMs and assemble their distributions: Java 17 or newer and Maven
 * on the PATH, and javac too with `{ javac: true }`; '' when nothing is.
 */
export function javaAndMavenMissing(opts: { javac?: boolean } = {}): string {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return 'java (Java 17 or newer) is not on the PATH';
  // `java -version` writes to stderr; Java 8 and older say "1.8.0_…".
  const line = (java.stderr || java.stdout).split('\n')[0].trim();
  const major = Number(/version "(?:1\.)?(\d+)/.exec(line)?.[1]);
  if (!(major >= 17)) return `java on the PATH is not Java 17 or newer: ${line}`;
  if (opts.javac && spawnSync('javac', ['-version']).status !== 0) return 'javac (a JDK) is not on the PATH';
  if (spawnSync('mvn', ['-v']).status !== 0) return 'mvn (Maven) is not on the PATH';
  return '';
}

/**
 * For `describe.skipIf(requireOrSkip(file, reason))`: false when nothing is missing (`reason` is
 * ''). Otherwise in CI it throws, as CI installs what the tests need and its absence is a broken
 * setup; elsewhere it warns and returns true.
 */
export function requireOrSkip(file: string, reason: string): boolean {
  if (!reason) return false;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${file}: ${reason}; .ci/run installs it`);
  console.warn(`${file} skipped: ${reason}`);
  return true;
}
