// Helpers of the Kubernetes benches (bench/k8s-*.mjs): the cluster of $KUBECONFIG reached with
// kubectl, namespaces of our own (bench-*), a dcos attached to one of them in a fresh HOME and
// DCOS_DIR, and the statistics they print. In a folder of its own so that run-all.mjs, which runs
// every bench/*.mjs, does not run it as a bench.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DCOS } from '../lib.mjs';

/** kubectl: $KUBECTL, else the test cluster's build, else the one on PATH. */
export const KUBECTL =
  process.env.KUBECTL ??
  [join(process.env.K8S_BIN_DIR ?? '/var/cache/k8s-test/bin', 'kubectl'), ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'kubectl'))].find((p) => existsSync(p));

/** Why the benches cannot run here (no kubeconfig, no kubectl, an API that does not answer), or undefined. */
export function unavailable() {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) return 'KUBECONFIG is not set';
  if (!kubeconfig.split(delimiter).some((f) => existsSync(f))) return `KUBECONFIG names no existing file (${kubeconfig})`;
  if (!KUBECTL) return 'no kubectl (set KUBECTL, or K8S_BIN_DIR to the test cluster build)';
  const r = spawnSync(KUBECTL, ['get', '--raw', '/readyz', '--request-timeout=5s'], { encoding: 'utf8' });
  if (r.status !== 0) return `the cluster of $KUBECONFIG does not answer: ${(r.stderr || r.error?.message || '').trim()}`;
  return undefined;
}

/** Exits 0 saying why, when the benches cannot run here; `what` names the bench. */
export function skipUnlessCluster(what) {
  const why = unavailable();
  if (why) {
    console.log(`SKIP ${what}: ${why}. It needs a Kubernetes cluster: export KUBECONFIG=<admin kubeconfig> (see the test cluster's tools).`);
    process.exit(0);
  }
}

/** kubectl, synchronously; throws with its stderr unless it succeeded. */
export function kubectl(args, { input, allowFail = false } = {}) {
  const r = spawnSync(KUBECTL, args, { encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 && !allowFail) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

/** A namespace name of our own: bench-<what>-<random>, valid as a DNS label. */
export function benchNamespace(what) {
  return `bench-${what}-${Math.random().toString(36).slice(2, 8)}`;
}

export function createNamespace(ns) {
  kubectl(['create', 'namespace', ns]);
  // The namespace's default service account is made by the controller-manager shortly after;
  // pods are refused until it exists.
  for (let i = 0; i < 100; i++) {
    if (kubectl(['get', 'serviceaccount', 'default', '-n', ns], { allowFail: true }).status === 0) return;
    spawnSync('sleep', ['0.1']);
  }
  throw new Error(`namespace ${ns}: no default service account after 10 s`);
}

/** Deletes without waiting: a namespace with running pods takes 15-85 s to go. */
export function deleteNamespace(ns) {
  kubectl(['delete', 'namespace', ns, '--wait=false'], { allowFail: true });
}

/** A dcos in a fresh HOME and DCOS_DIR, attached to namespace `ns` as a user does (cluster setup --kubeconfig). */
export function dcosOn(ns) {
  const home = mkdtempSync(join(tmpdir(), 'dcos-bench-k8s-'));
  const env = { ...process.env, HOME: home, DCOS_DIR: join(home, 'dcos') };
  const dcos = (...args) => spawnSync(process.execPath, [DCOS, ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const setup = dcos('cluster', 'setup', '--kubeconfig', process.env.KUBECONFIG, '--namespace', ns, '--name', 'k8s');
  if (setup.status !== 0) throw new Error(`dcos cluster setup exited ${setup.status}: ${setup.stderr}`);
  return { home, env, dcos, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** Runs a command to its exit without blocking the event loop; resolves with its status, output and end time. */
export function run(cmd, args, { env = process.env, stdout = 'ignore' } = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => {
      const end = performance.now();
      resolve({ status, stdout: out, stderr: err, ms: end - start, endedAt: Date.now() });
    });
  });
}

/** Median and 90th percentile (nearest rank) of samples in ms. */
export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: rank(0.5), p90: rank(0.9), min: s[0], max: s[s.length - 1], n: s.length };
}

/** One PASS/OVER line against a budget. */
export function verdict(label, value, budget) {
  const ok = value <= budget;
  console.log(`${ok ? 'PASS' : 'OVER'} ${label}: ${value.toFixed(2)}x (budget ${budget}x)`);
  return ok;
}

export const ms = (v) => `${v.toFixed(0)} ms`;
