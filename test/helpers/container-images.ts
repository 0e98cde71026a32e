/**
 * Real Podman for integration tests, with images built here (no registry is reachable): a busybox
 * root filesystem (`/bin/busybox` of Debian's busybox-static and a link for every applet, httpd
 * included) imported as an image, and one more with an ENTRYPOINT and CMD on top. Each image is
 * tagged by a hash of its recipe, so it is built once per machine and never confused with another
 * recipe's image of the same name. Service images add a Java runtime and a release distribution.
 *
 * Without Podman the tests that need it are skipped, saying so; in CI (CI=true) they fail instead:
 * CI installs Podman, so its absence there is a broken setup, not a reason to test less.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { distCacheDir } from './maven-dist.js';

const BUSYBOX = '/bin/busybox';

export interface PodmanCheck {
  ok: boolean;
  /** Why not, for the skip message. */
  reason: string;
  version?: string;
}

let checked: PodmanCheck | undefined;

/** Whether real Podman answers here (and busybox-static is there to build images from). */
export function podmanCheck(): PodmanCheck {
  if (checked) return checked;
  const version = spawnSync('podman', ['version', '--format', '{{.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  if (version.status !== 0) checked = { ok: false, reason: `podman does not answer (${(version.stderr || version.error?.message || 'not installed').trim().split('\n')[0]})` };
  else if (!existsSync(BUSYBOX)) checked = { ok: false, reason: `${BUSYBOX} is missing (Debian's busybox-static builds the test images)` };
  else checked = { ok: true, reason: '', version: version.stdout.trim() };
  return checked;
}

/**
 * For `describe.skipIf(!podmanReady())`: true when Podman is usable. In CI its absence throws, so
 * the suite fails loudly rather than skipping.
 */
export function podmanReady(): boolean {
  const check = podmanCheck();
  if (check.ok) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`Podman is required in CI for the container tests, but ${check.reason}: .ci/run installs podman, runc and busybox-static`);
  }
  console.warn(`container tests skipped: ${check.reason} (install podman, runc and busybox-static to run them)`);
  return false;
}

function podman(args: string[], input?: Buffer, timeoutMs = 120_000): string {
  return execFileSync('podman', args, { encoding: 'utf8', input, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

function imageExists(tag: string): boolean {
  return spawnSync('podman', ['image', 'exists', tag], { timeout: 20_000 }).status === 0;
}

/** The busybox root filesystem as a directory; its recipe's hash names the image. */
function busyboxRoot(dir: string): void {
  for (const sub of ['bin', 'etc', 'tmp', 'www', 'proc', 'sys', 'dev', 'root']) mkdirSync(join(dir, sub), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  for (const applet of busyboxApplets()) {
    if (applet === 'busybox') continue;
    symlinkSync('busybox', join(dir, 'bin', applet));
  }
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'www', 'index.html'), 'hello from the dcos test image\n');
}

function busyboxApplets(): string[] {
  return execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').map((a) => a.trim()).filter(Boolean).sort();
}

const built = new Map<string, string>();

/** Imports the directory's contents as `tag` with the given Containerfile-style changes. */
function importRoot(tag: string, fill: (dir: string) => void, changes: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'dcos-image-'));
  try {
    const root = join(dir, 'root');
    mkdirSync(root);
    fill(root);
    const tar = join(dir, 'root.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    podman(['import', ...changes.flatMap((c) => ['--change', c]), tar, tag], undefined, 600_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hashOf(...parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 12);
}

/** `localhost/dcos-test/busybox:<hash>`: busybox with every applet; no entrypoint, CMD sh. */
export function busyboxImage(): string {
  const recipe = hashOf('busybox-v1', readFileSync(BUSYBOX).length.toString(), busyboxApplets().join(','));
  const tag = `localhost/dcos-test/busybox:${recipe}`;
  if (built.has(tag)) return tag;
  if (!imageExists(tag)) importRoot(tag, busyboxRoot, ['CMD ["/bin/sh"]']);
  built.set(tag, tag);
  return tag;
}

/**
 * `localhost/dcos-test/entrypoint:<hash>`: busybox whose ENTRYPOINT says what it was given and
 * then stays up, with a CMD of its own, for Marathon's cmd/args-over-entrypoint rules.
 */
export function entrypointImage(): string {
  const base = busyboxImage();
  const entrypoint = ['/bin/sh', '-c', 'echo "entrypoint ran with: $*"; exec sleep 600', 'entrypoint'];
  const changes = [`ENTRYPOINT ${JSON.stringify(entrypoint)}`, 'CMD ["from-image-cmd"]'];
  const tag = `localhost/dcos-test/entrypoint:${hashOf(base, ...changes)}`;
  if (built.has(tag)) return tag;
  if (!imageExists(tag)) importRoot(tag, busyboxRoot, changes);
  built.set(tag, tag);
  return tag;
}

/** Where the node's JDK is (the `java` on the PATH, links resolved), and its `release` file. */
function nodeJdk(): { home: string; release: string } {
  const java = realpathSync(execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim());
  const home = dirname(dirname(java));
  if (!existsSync(join(home, 'bin', 'jlink'))) throw new Error(`The node's Java at ${home} has no jlink: a JDK (Debian's default-jdk-headless) builds the test images' Java runtime`);
  return { home, release: readFileSync(join(home, 'release'), 'utf8') };
}

// Native parts of the JDK that only a desktop uses: their libraries (X11, ALSA, fonts) stay out.
const DESKTOP_ONLY = /lib(awt_xawt|jawt|splashscreen|fontmanager|lcms|javajpeg|mlib_image|jsound)\.so$/;

/** The host's shared libraries `files` link (`ldd`), with the dynamic loader; those under `root` are its own. */
function linkedLibraries(files: string[], root: string): string[] {
  const libs = new Set<string>();
  for (const file of files) {
    const out = spawnSync('ldd', [file], { encoding: 'utf8' });
    if (out.status !== 0) continue; // not dynamic
    for (const line of out.stdout.split('\n')) {
      const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
      if (path && !path.startsWith(`${root}/`)) libs.add(path);
    }
  }
  return [...libs].sort();
}

/** A root filesystem's copy of a host file at the same path, links resolved. */
function copyInto(root: string, file: string): void {
  const source = realpathSync(file);
  const target = join(root, file);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  chmodSync(target, statSync(source).mode & 0o777);
}

/**
 * Busybox with the node's bash (for `/dev/tcp`, as the official images have it) and a Java
 * runtime made with the node's `jlink` at /opt/java/openjdk (on the PATH, as in the official
 * eclipse-temurin based images), plus the libraries both link.
 */
function javaRoot(dir: string, jre: string): void {
  busyboxRoot(dir);
  rmSync(join(dir, 'bin', 'bash'), { force: true });
  copyInto(dir, '/bin/bash');
  cpSync(jre, join(dir, 'opt', 'java', 'openjdk'), { recursive: true });
  const java = join(dir, 'opt', 'java', 'openjdk');
  const natives = [join(java, 'bin', 'java'), join(java, 'lib', 'server', 'libjvm.so')];
  for (const f of readdirSync(join(java, 'lib'))) if (f.endsWith('.so') && !DESKTOP_ONLY.test(f)) natives.push(join(java, 'lib', f));
  for (const lib of linkedLibraries(['/bin/bash', ...natives], dir)) copyInto(dir, lib);
}

/**
 * A Java runtime of every module of the node's JDK (`jlink`), kept beside the distribution cache
 * (keyed by the JDK's release file), so it is made once per machine.
 */
function jlinkRuntime(jdk: { home: string; release: string }): string {
  const dir = join(dirname(distCacheDir()), 'jre', hashOf('jlink-v1', jdk.home, jdk.release));
  if (existsSync(join(dir, 'release'))) return dir;
  mkdirSync(dirname(dir), { recursive: true });
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  execFileSync(join(jdk.home, 'bin', 'jlink'), ['--add-modules', 'ALL-MODULE-PATH', '--output', temp, '--strip-debug', '--no-man-pages', '--no-header-files'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  return dir;
}

/**
 * `localhost/dcos-test/<name>:<hash>`: a service image as the official ones are laid out: a Java
 * runtime on the PATH and the release distribution (the tarball `dist`, its one top directory)
 * extracted at `/opt/<name>`, for the packages' container runtimes, with `extra.files` (absolute
 * path in the image -> content, executable) on top. Tagged by the JDK's release, bash, the
 * tarball's sha512 and the files, so a changed distribution is a new image.
 */
export function javaDistImage(name: string, dist: { path: string; sha512: string }, extra: { files?: Record<string, string>; tagName?: string } = {}): string {
  const jdk = nodeJdk();
  const changes = ['ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'ENV JAVA_HOME=/opt/java/openjdk', `WORKDIR /opt/${name}`, 'CMD ["/bin/sh"]'];
  const files = Object.entries(extra.files ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const recipe = hashOf('java-dist-v1', jdk.release, statSync('/bin/bash').size.toString(), dist.sha512, ...changes, ...files.flat());
  const tag = `localhost/dcos-test/${extra.tagName ?? name}:${recipe}`;
  if (built.has(tag)) return tag;
  if (!imageExists(tag)) {
    const jre = jlinkRuntime(jdk);
    importRoot(tag, (root) => {
      javaRoot(root, jre);
      const into = join(root, 'opt', name);
      mkdirSync(into, { recursive: true });
      execFileSync('tar', ['-xzf', dist.path, '-C', into, '--strip-components=1']);
      for (const [file, content] of files) {
        mkdirSync(join(root, dirname(file)), { recursive: true });
        writeFileSync(join(root, file), content, { mode: 0o755 });
      }
    }, changes);
  }
  built.set(tag, tag);
  return tag;
}

/** Names of the containers (running or not) labelled with this agent id. */
export function agentContainers(agentId: string): string[] {
  return podman(['ps', '-a', '--filter', `label=dcos.agent-id=${agentId}`, '--format', '{{.Names}}'])
    .split('\n')
    .map((n) => n.trim())
    .filter(Boolean);
}

/** `podman inspect` of one container, or null when it does not exist. */
export function inspectContainer(name: string): Record<string, any> | null {
  const out = spawnSync('podman', ['container', 'inspect', name], { encoding: 'utf8', timeout: 20_000 });
  if (out.status !== 0) return null;
  return (JSON.parse(out.stdout) as Array<Record<string, any>>)[0] ?? null;
}

/** Removes the agent's containers (cleanup after a failed test; a passing test leaves none). */
export function removeAgentContainers(agentId: string): void {
  for (const name of agentContainers(agentId)) spawnSync('podman', ['rm', '-f', '-t', '0', name], { timeout: 60_000 });
}

/**
 * A test double of the apache/kafka:3.9.0 image, for the update from the bundled 3.9.0 revision
 * (which runs only that image): the 3.9.0 distribution at /opt/kafka and the two entry points
 * that revision uses. `/etc/kafka/docker/run` does what the image's documents for it: every
 * `KAFKA_*` variable becomes a server.properties key (`KAFKA_LOG_DIRS` -> `log.dirs`; `___` is
 * `-`, `__` is `_`), empty storage is formatted with `CLUSTER_ID`, and the broker runs in the
 * foreground with `KAFKA_HEAP_OPTS`. `/opt/kafka/bin/kafka-topics.sh` runs the distribution's
 * TopicCommand, as the health check of that revision calls it.
 */
export function kafka39ImageDouble(dist: { path: string; sha512: string }): string {
  const run = `#!/bin/bash
set -e
props=/opt/kafka/config/server.properties
mkdir -p /opt/kafka/config
: > "$props"
for v in $(compgen -e | grep '^KAFKA_' | sort); do
  case "$v" in KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_LOG4J_OPTS) continue ;; esac
  key=$(printf '%s' "\${v#KAFKA_}" | tr 'A-Z' 'a-z' | sed 's/___/-/g; s/__/@/g; s/_/./g; s/@/_/g')
  printf '%s=%s\n' "$key" "\${!v}" >> "$props"
done
java -Xmx256m -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --ignore-formatted -t "$CLUSTER_ID" -c "$props"
exec java $KAFKA_HEAP_OPTS -cp '/opt/kafka/libs/*' kafka.Kafka "$props"
`;
  const topics = `#!/bin/bash
exec java \${KAFKA_HEAP_OPTS:--Xmx256m} -cp '/opt/kafka/libs/*' org.apache.kafka.tools.TopicCommand "$@"
`;
  return javaDistImage('kafka', dist, { files: { '/etc/kafka/docker/run': run, '/opt/kafka/bin/kafka-topics.sh': topics }, tagName: 'kafka-3.9-double' });
}
