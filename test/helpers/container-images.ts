/**
 * Real Podman for integration tests, with images built here (no registry is reachable): a busybox
 * root filesystem (`/bin/busybox` of Debian's busybox-static and a link for every applet, httpd
 * included) imported as an image, and one more with an ENTRYPOINT and CMD on top. Each image is
 * tagged by a hash of its recipe, so it is built once per machine and never confused with another
 * recipe's image of the same name.
 *
 * Without Podman the tests that need it are skipped, saying so; in CI (CI=true) they fail instead:
 * CI installs Podman, so its absence there is a broken setup, not a reason to test less.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

function podman(args: string[], input?: Buffer): string {
  return execFileSync('podman', args, { encoding: 'utf8', input, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
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
    podman(['import', ...changes.flatMap((c) => ['--change', c]), tar, tag]);
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
