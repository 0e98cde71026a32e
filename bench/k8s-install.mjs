// `dcos package install hello-world --yes` (container runtime) on Kubernetes, from start to exit,
// against `kubectl apply -f` of the same objects followed by `kubectl rollout status`, each round in
// a fresh namespace of its own (bench-install-*), measured in the same run in alternating rounds
// (5 of each, after one of each to warm up). "The same objects" are what dcos applied in the
// warm-up round, read back with kubectl and stripped of what the server adds (status, uid,
// resourceVersion, creationTimestamp, managedFields, generation, the deployment.kubernetes.io
// annotations, the Service's cluster IPs), applied under the same names in another namespace.
// Also printed: how long after its pod became Ready each command returned, seen by a watch
// (kubectl get pods -w, timestamped here) and from the pod's Ready lastTransitionTime (whole
// seconds, so an upper bound). Budget: 1.3x, as the other install benches. Needs a cluster ($KUBECONFIG); skips, saying so, without one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCOS } from './lib.mjs';
import { benchNamespace, createNamespace, dcosOn, deleteNamespace, kubectl, KUBECTL, ms, run, skipUnlessCluster, stats } from './k8s/cluster.mjs';

skipUnlessCluster('k8s-install');

const ROUNDS = Number(process.env.BENCH_RUNS ?? 5);
const BUDGET = 1.3;
const dir = mkdtempSync(join(tmpdir(), 'dcos-bench-k8s-install-'));
const optionsFile = join(dir, 'opts.json');
writeFileSync(optionsFile, JSON.stringify({ service: { runtime: 'container' } }));
const namespaces = [];
const homes = [];

/**
 * Watches the namespace's pods: `seen()` resolves with the local times (ms since the epoch) the
 * first pod was first seen (created) and first seen Ready.
 */
function watchPods(ns) {
  const child = spawn(KUBECTL, ['get', 'pods', '-n', ns, '-w', '-o', 'jsonpath={.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const times = {};
  let buffer = '';
  let resolveSeen;
  const seen = new Promise((r) => (resolveSeen = r));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    const at = Date.now();
    buffer += d;
    for (let end; (end = buffer.indexOf('\n')) >= 0; buffer = buffer.slice(end + 1)) {
      times.created ??= at;
      if (times.ready === undefined && / True$/.test(buffer.slice(0, end))) resolveSeen({ ...times, ready: (times.ready = at) });
    }
  });
  child.on('close', () => resolveSeen(times));
  return { seen, stop: () => child.kill() };
}

/** The pod's Ready condition lastTransitionTime (ms since the epoch; whole seconds). */
function readyTransition(ns) {
  const pods = JSON.parse(kubectl(['get', 'pods', '-n', ns, '-o', 'json']).stdout).items;
  const times = pods.map((p) => p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime).filter(Boolean);
  if (times.length !== 1) throw new Error(`expected one Ready pod in ${ns}, found ${times.length} of ${pods.length}`);
  return Date.parse(times[0]);
}

/** What dcos applied in `ns`, as objects to apply elsewhere. */
function appliedObjects(ns) {
  const list = JSON.parse(kubectl(['get', 'deployment,statefulset,service,poddisruptionbudget', '-n', ns, '-l', 'app.kubernetes.io/managed-by=dcos', '-o', 'json']).stdout);
  for (const item of list.items) {
    delete item.status;
    const m = item.metadata;
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'namespace']) delete m[k];
    for (const k of Object.keys(m.annotations ?? {})) if (k.startsWith('deployment.kubernetes.io/')) delete m.annotations[k];
    if (item.kind === 'Service') {
      delete item.spec.clusterIP;
      delete item.spec.clusterIPs;
    }
  }
  delete list.metadata;
  return list;
}

/**
 * One timed command (or sequence) in a fresh namespace: its wall-clock time, when its pod was
 * created and became Ready (as the watch saw them), and its lags behind readiness.
 */
async function measured(ns, steps) {
  const watch = watchPods(ns);
  await new Promise((r) => setTimeout(r, 1000)); // the watch is up before the clock starts
  const startedAt = Date.now();
  const start = performance.now();
  let endedAt;
  for (const [cmd, args, env] of steps) {
    const r = await run(cmd, args, { env });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    endedAt = r.endedAt;
  }
  const total = performance.now() - start;
  const seen = await Promise.race([watch.seen, new Promise((r) => setTimeout(() => r({}), 3000))]);
  watch.stop();
  const transition = readyTransition(ns);
  return {
    ms: total,
    toPod: (seen.created ?? NaN) - startedAt,
    podToReady: (seen.ready ?? NaN) - (seen.created ?? NaN),
    watchLag: endedAt - (seen.ready ?? NaN),
    transitionLag: endedAt - transition,
  };
}

async function dcosRound(tag) {
  const ns = benchNamespace(`install-d${tag}`);
  namespaces.push(ns);
  createNamespace(ns);
  const attached = dcosOn(ns);
  homes.push(attached);
  const m = await measured(ns, [[process.execPath, [DCOS, 'package', 'install', 'hello-world', '--yes', '--options', optionsFile], attached.env]]);
  return { ...m, ns };
}

async function kubectlRound(tag, objects) {
  const ns = benchNamespace(`install-k${tag}`);
  namespaces.push(ns);
  createNamespace(ns);
  const file = join(dir, `${ns}.json`);
  writeFileSync(file, JSON.stringify(objects));
  const rollouts = objects.items.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet').map((o) => [KUBECTL, ['rollout', 'status', `${o.kind.toLowerCase()}/${o.metadata.name}`, '-n', ns, '--timeout=120s'], process.env]);
  const m = await measured(ns, [[KUBECTL, ['apply', '-n', ns, '-f', file], process.env], ...rollouts]);
  return { ...m, ns };
}

const done = (round) => {
  deleteNamespace(round.ns);
  namespaces.splice(namespaces.indexOf(round.ns), 1);
  return round;
};

try {
  // Warm-up: one of each (the image in the node's cache, kubectl's discovery cache); the first gives the objects.
  const warm = done(await dcosRound('w'));
  const objects = appliedObjects(warm.ns);
  const deployment = objects.items.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  const probe = deployment?.spec?.template?.spec?.containers?.[0]?.readinessProbe;
  console.log(`objects applied by dcos: ${objects.items.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}; readiness probe every ${probe?.periodSeconds ?? '?'} s (the package's health check interval)`);
  done(await kubectlRound('w', objects));

  const dcos = [];
  const base = [];
  for (let i = 0; i < ROUNDS; i++) {
    const pair = i % 2 === 0 ? [() => dcosRound(i), () => kubectlRound(i, objects)] : [() => kubectlRound(i, objects), () => dcosRound(i)];
    for (const f of pair) {
      const r = done(await f());
      (r.ns.includes('-install-d') ? dcos : base).push(r);
    }
    const d = dcos[dcos.length - 1];
    const k = base[base.length - 1];
    const parts = (r) => `${ms(r.ms)} = ${ms(r.toPod)} to the pod + ${ms(r.podToReady)} to Ready + ${ms(r.watchLag)} to exit (${ms(r.transitionLag)} after lastTransitionTime)`;
    console.log(`round ${i + 1}: dcos ${parts(d)}; kubectl ${parts(k)}`);
  }
  const sd = stats(dcos.map((r) => r.ms));
  const sk = stats(base.map((r) => r.ms));
  const lag = stats(dcos.map((r) => r.watchLag));
  const lagK = stats(base.map((r) => r.watchLag));
  const lagT = stats(dcos.map((r) => r.transitionLag));
  const toPod = stats(dcos.map((r) => r.toPod));
  const toPodK = stats(base.map((r) => r.toPod));
  const ready = stats(dcos.map((r) => r.podToReady));
  const readyK = stats(base.map((r) => r.podToReady));
  console.log(`dcos package install hello-world: median ${ms(sd.median)} (min ${ms(sd.min)}, max ${ms(sd.max)})`);
  console.log(`kubectl apply + rollout status:   median ${ms(sk.median)} (min ${ms(sk.min)}, max ${ms(sk.max)})`);
  console.log(`dcos returned after its pod was Ready: median ${ms(lag.median)}, max ${ms(lag.max)} by the watch; median ${ms(lagT.median)}, max ${ms(lagT.max)} after the Ready lastTransitionTime (whole seconds); kubectl rollout status: median ${ms(lagK.median)} by the watch`);
  console.log(`medians: start to pod created: dcos ${ms(toPod.median)}, kubectl ${ms(toPodK.median)}; pod created to Ready (the cluster's part, the same objects): dcos ${ms(ready.median)}, kubectl ${ms(readyK.median)}`);
  const ratio = sd.median / sk.median;
  const ok = ratio <= BUDGET;
  console.log(`${ok ? 'PASS' : 'OVER'} dcos package install hello-world / kubectl apply + rollout status (medians of ${ROUNDS}): ${ratio.toFixed(2)}x (budget ${BUDGET}x)`);
  process.exitCode = ok ? 0 : 1;
} finally {
  for (const ns of namespaces) deleteNamespace(ns);
  for (const h of homes) h.remove();
  rmSync(dir, { recursive: true, force: true });
}
