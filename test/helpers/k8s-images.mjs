#!/usr/bin/env node
// Images for the Kubernetes test cluster, which has no registry to pull from: built here with the
// k8s test tools' mkimage.py (../shared/tools/k8s, next to the repository) as docker-save archives,
// imported by its up.sh (K8S_EXTRA_IMAGES) or by `podman load`.
//
// docker.io/library/node:20-slim: this machine's own `node` at /usr/local/bin/node (where the
// official image has it) with the shared libraries `ldd` lists for it, and Debian's busybox-static
// for /bin/sh and the usual applets (ls, wget, ...). It runs the hello-world package's server.
//
// Cached under ~/.cache/dcos-tests/k8s-images (beside DCOS_TEST_CACHE's parent when that is set),
// named by a hash of what goes in (node, its libraries, busybox, mkimage.py, this recipe): rebuilt
// only when one of them changes, e.g. a new node binary.
//
// Usage: node test/helpers/k8s-images.mjs    prints the archives' paths, space-separated, for
//                                            K8S_EXTRA_IMAGES; progress goes to stderr.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MKIMAGE = process.env.K8S_MKIMAGE ?? join(REPO_ROOT, '..', 'shared', 'tools', 'k8s', 'mkimage.py');
export const NODE_IMAGE = 'docker.io/library/node:20-slim';
const BUSYBOX = '/bin/busybox';
const RECIPE = 'node-image-v2';

/** Where the archives are kept. */
export function imageCacheDir() {
  const base = process.env.DCOS_TEST_CACHE ? dirname(process.env.DCOS_TEST_CACHE) : join(homedir(), '.cache', 'dcos-tests');
  return join(base, 'k8s-images');
}

/** The absolute paths of the shared libraries `ldd` lists for `file`, the dynamic loader included. */
function linkedLibraries(file) {
  const libs = new Set();
  for (const line of execFileSync('ldd', [file], { encoding: 'utf8' }).split('\n')) {
    const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (path) libs.add(path);
  }
  return [...libs].sort();
}

function hashFiles(files) {
  const h = createHash('sha256').update(RECIPE).update('\0');
  for (const file of files) h.update(file).update('\0').update(readFileSync(file)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * The archive of NODE_IMAGE for the `node` running this script, built unless the cache has it.
 * Returns its path.
 */
export function nodeImage({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const node = realpathSync(process.execPath);
  const libs = linkedLibraries(node);
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: Debian's busybox-static gives the image its /bin/sh`);
  if (!existsSync(MKIMAGE)) throw new Error(`${MKIMAGE} is missing: the k8s test tools are expected in ../shared/tools/k8s next to the repository`);
  const key = hashFiles([node, ...libs, BUSYBOX, MKIMAGE]);
  const dir = imageCacheDir();
  const out = join(dir, `node-20-slim-${key}.tar`);
  if (existsSync(out)) {
    log(`${NODE_IMAGE}: cached ${out}`);
    return out;
  }
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `.node-20-slim-${key}.${process.pid}.tar`);
  try {
    // Files one by one (--file), not a --rootfs tree: mkimage.py writes its own /usr, /bin, ...
    // entries first and a tree would repeat them, which Podman's `load` refuses ("duplicates of
    // file paths not supported"); containerd takes either.
    const files = [`${node}:/usr/local/bin/node`, ...libs.map((lib) => `${lib}:${lib}`)];
    execFileSync(
      process.env.K8S_PYTHON ?? 'python3',
      [MKIMAGE, '--tag', NODE_IMAGE, '--out', partial, '--busybox', BUSYBOX, ...files.flatMap((f) => ['--file', f]),
        '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--cmd', 'node'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    // Renamed into place whole, so a concurrent or interrupted build never leaves half an archive.
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  // Older builds of the same image (another node binary) are of no further use.
  for (const f of readdirSync(dir)) if (f.startsWith('node-20-slim-') && f.endsWith('.tar') && join(dir, f) !== out) rmSync(join(dir, f), { force: true });
  log(`${NODE_IMAGE}: built ${out} (${Math.round(statSync(out).size / 2 ** 20)} MiB, node ${process.version}, ${libs.length} libraries) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${[nodeImage()].join(' ')}\n`);
  } catch (err) {
    process.stderr.write(`k8s-images: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  }
}
