// `dcos --version`, `dcos --help` and `dcos package search kafka` load nothing of the Kubernetes
// driver, checked two ways: in the build (dist/meta.json: which outputs hold src/scheduler/kubernetes/,
// and that no entry these commands load reaches them by static imports) and at run time (every
// file a run loads, recorded by bench/k8s/record-loads.mjs), with a fresh DCOS_DIR and, where a
// cluster is reachable ($KUBECONFIG), with a Kubernetes cluster attached as the current one. With
// it attached, the three are also timed against `node -e 0` in this run, in interleaved rounds,
// with start-up.mjs's budgets (1.3x, 1.3x, 1.6x). `dcos task list` on the attached cluster is the control: it must be
// seen loading the driver.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DCOS, ROOT, ratio, report } from './lib.mjs';
import { benchNamespace, dcosOn, deleteNamespace, stats, unavailable } from './k8s/cluster.mjs';

const HOOK = join(ROOT, 'bench', 'k8s', 'record-loads.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 21);
const failures = [];
const fail = (what) => {
  failures.push(what);
  console.log(`FAIL ${what}`);
};

// 1. The build: the outputs holding Kubernetes sources, and what reaches them statically.
const outputs = JSON.parse(readFileSync(join(ROOT, 'dist', 'meta.json'), 'utf8')).outputs;
const kube = new Map(
  Object.entries(outputs)
    .map(([out, o]) => [out, Object.keys(o.inputs).filter((i) => i.startsWith('src/scheduler/kubernetes/'))])
    .filter(([, inputs]) => inputs.length > 0),
);
const driverChunk = [...kube].find(([, inputs]) => inputs.includes('src/scheduler/kubernetes/driver.ts'))?.[0];
console.log(`Kubernetes sources are in ${kube.size} outputs: ${[...kube].map(([out, inputs]) => `${out} (${inputs.length} files)`).join(', ')}; KubernetesDriver is in ${driverChunk}`);
const staticClosure = (entry) => {
  const seen = new Set([entry]);
  for (const out of seen) for (const i of outputs[out]?.imports ?? []) if (!i.external && i.kind !== 'dynamic-import') seen.add(i.path);
  return seen;
};
for (const entry of ['dist/cli.cjs', 'dist/commands/package/search.js']) {
  const reached = [...staticClosure(entry)].filter((o) => kube.has(o));
  if (reached.length) fail(`${entry} statically imports Kubernetes outputs: ${reached.join(', ')}`);
  else console.log(`ok   ${entry} and its ${staticClosure(entry).size - 1} static imports hold no Kubernetes source`);
}
const importers = Object.entries(outputs).flatMap(([out, o]) => (o.imports ?? []).filter((i) => kube.has(i.path) && !kube.has(out)).map((i) => `${out} (${i.kind})`));
console.log(`outputs importing the Kubernetes outputs: ${[...new Set(importers)].join(', ')}`);

// 2. At run time: every file a run loads.
function loads(args, env) {
  const dir = mkdtempSync(join(tmpdir(), 'dcos-bench-loads-'));
  const file = join(dir, 'loads');
  const r = spawnSync(process.execPath, ['--import', HOOK, DCOS, ...args], { env: { ...env, DCOS_BENCH_LOADS_FILE: file }, encoding: 'utf8' });
  let files = [];
  try {
    files = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))].map((f) => relative(ROOT, f));
  } catch {
    // nothing loaded through the hooks: the launcher answered alone
  }
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`dcos ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return files;
}
function checkLoads(where, env) {
  for (const args of [['--version'], ['--help'], ['package', 'search', 'kafka']]) {
    const files = loads(args, env);
    const k = files.filter((f) => kube.has(f));
    if (k.length) fail(`dcos ${args.join(' ')} (${where}) loads ${k.join(', ')}`);
    else console.log(`ok   dcos ${args.join(' ')} (${where}) loads ${files.length} files, none of Kubernetes${files.length <= 1 ? ' (answered by bin/dcos.js alone)' : ''}`);
  }
}
const home = mkdtempSync(join(tmpdir(), 'dcos-bench-'));
const fresh = { ...process.env, HOME: home, DCOS_DIR: join(home, 'dcos') };
checkLoads('no cluster attached', fresh);
rmSync(home, { recursive: true, force: true });

const why = unavailable();
if (why) {
  console.log(`SKIP the checks with a Kubernetes cluster attached: ${why}`);
} else {
  const ns = benchNamespace('startup');
  const attached = dcosOn(ns); // cluster setup only: nothing is created in the namespace
  try {
    checkLoads('Kubernetes cluster attached', attached.env);
    const control = loads(['task', 'list'], attached.env);
    if (!control.includes(driverChunk)) fail(`the control, dcos task list on the attached cluster, was not seen loading ${driverChunk}: the recording misses loads`);
    else console.log(`ok   control: dcos task list (Kubernetes cluster attached) loads ${control.filter((f) => kube.has(f)).join(', ')}`);

    // Interleaved rounds (each round runs the four in turn), so that the load of a shared machine
    // weighs on the baseline as on the commands.
    const env = { ...process.env, HOME: attached.env.HOME, DCOS_DIR: attached.env.DCOS_DIR };
    const commands = { baseline: ['-e', '0'], version: [DCOS, '--version'], help: [DCOS, '--help'], search: [DCOS, 'package', 'search', 'kafka'] };
    const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    for (let round = -3; round < runs; round++) {
      for (const [name, args] of Object.entries(commands)) {
        const start = performance.now();
        const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
        if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
        if (round >= 0) samples[name].push(performance.now() - start);
      }
    }
    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v).median]));
    console.log(`Kubernetes cluster attached: node -e 0 ${m.baseline.toFixed(1)} ms, dcos --version ${m.version.toFixed(1)} ms, --help ${m.help.toFixed(1)} ms, package search kafka ${m.search.toFixed(1)} ms (medians of ${runs} interleaved rounds)`);
    if (!report('dcos --version / node -e 0 (Kubernetes cluster attached)', Number(ratio(m.version, m.baseline)), 1.3)) failures.push('--version');
    if (!report('dcos --help / node -e 0 (Kubernetes cluster attached)', Number(ratio(m.help, m.baseline)), 1.3)) failures.push('--help');
    if (!report('dcos package search kafka / node -e 0 (Kubernetes cluster attached)', Number(ratio(m.search, m.baseline)), 1.6)) failures.push('search');
  } finally {
    attached.remove();
    deleteNamespace(ns);
  }
}
process.exitCode = failures.length ? 1 : 0;
