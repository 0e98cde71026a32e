// `dcos task list` (table) and `dcos task list --json` on Kubernetes with 100 running pods in the
// namespace, against `kubectl get pods -o json` of the same namespace, measured in the same run in
// alternating rounds (median and p90 of 15). Budget: each at most 1.2 x kubectl.
// Needs a cluster ($KUBECONFIG, e.g. the test cluster's tools); skips, saying so, without one.
// The pods: one Deployment of busybox `sleep 3600` with tiny requests, in a namespace of its own
// (bench-tasklist-*), deleted at the end.
import { DCOS } from './lib.mjs';
import { benchNamespace, createNamespace, dcosOn, deleteNamespace, kubectl, KUBECTL, ms, run, skipUnlessCluster, stats, verdict } from './k8s/cluster.mjs';

skipUnlessCluster('k8s-task-list');

const PODS = Number(process.env.BENCH_PODS ?? 100);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 15);
const BUDGET = 1.2;
const IMAGE = process.env.BENCH_IMAGE ?? 'k8s-test.local/busybox:1.35';

// Room on the nodes: allocatable pods (kubelet maxPods, 110 by default) less the pods already there.
const nodes = JSON.parse(kubectl(['get', 'nodes', '-o', 'json']).stdout).items;
const allocatable = nodes.reduce((n, node) => n + Number(node.status?.allocatable?.pods ?? 0), 0);
const placed = JSON.parse(kubectl(['get', 'pods', '-A', '--field-selector=status.phase!=Succeeded,status.phase!=Failed', '-o', 'json']).stdout).items.filter((p) => p.spec?.nodeName).length;
if (allocatable - placed < PODS) {
  console.log(`FAIL k8s-task-list: the cluster cannot hold ${PODS} more pods: ${nodes.length} node(s) allow ${allocatable} (kubelet maxPods) and ${placed} are placed already. Run with BENCH_PODS=<n> to measure fewer.`);
  process.exit(1);
}

const ns = benchNamespace('tasklist');
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'sleepers', namespace: ns },
  spec: {
    replicas: PODS,
    selector: { matchLabels: { app: 'sleepers' } },
    template: {
      metadata: { labels: { app: 'sleepers' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        containers: [{ name: 'sleep', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'], resources: { requests: { cpu: '1m', memory: '4Mi' }, limits: { memory: '16Mi' } } }],
      },
    },
  },
};

let attached;
try {
  createNamespace(ns);
  kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) });
  const started = Date.now();
  let running = 0;
  for (;;) {
    const pods = JSON.parse(kubectl(['get', 'pods', '-n', ns, '-o', 'json']).stdout).items;
    running = pods.filter((p) => p.status?.phase === 'Running').length;
    if (running >= PODS) break;
    const pending = pods.filter((p) => p.status?.phase === 'Pending' && p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'));
    if (Date.now() - started > 300_000) {
      throw new Error(`only ${running}/${PODS} pods Running after 300 s${pending.length ? `; ${pending.length} unschedulable: ${pending[0].status.conditions.find((c) => c.type === 'PodScheduled').message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`${PODS} pods Running in ${ns} after ${((Date.now() - started) / 1000).toFixed(0)} s`);

  attached = dcosOn(ns);
  // What the three commands print, checked once: every pod, in each.
  const table = attached.dcos('task', 'list');
  const json = attached.dcos('task', 'list', '--json');
  const pods = kubectl(['get', 'pods', '-o', 'json', '-n', ns]);
  const rows = table.stdout.trim().split('\n').length - 1;
  if (table.status !== 0 || rows !== PODS) throw new Error(`dcos task list printed ${rows} rows (exit ${table.status}): ${table.stderr}`);
  if (json.status !== 0 || JSON.parse(json.stdout).length !== PODS) throw new Error(`dcos task list --json: exit ${json.status}: ${json.stderr}`);
  console.log(`output sizes: dcos task list ${table.stdout.length} B, --json ${json.stdout.length} B, kubectl get pods -o json ${pods.stdout.length} B`);

  const commands = {
    kubectl: [KUBECTL, ['get', 'pods', '-o', 'json', '-n', ns], process.env],
    table: [process.execPath, [DCOS, 'task', 'list'], attached.env],
    json: [process.execPath, [DCOS, 'task', 'list', '--json'], attached.env],
  };
  const samples = { kubectl: [], table: [], json: [] };
  const order = Object.keys(commands);
  for (let round = -2; round < ROUNDS; round++) {
    // Rounds -2 and -1 warm up (page cache, kubectl's discovery cache); each round starts with another command.
    for (let k = 0; k < order.length; k++) {
      const name = order[(k + round + 3) % order.length];
      const [cmd, args, env] = commands[name];
      const r = await run(cmd, args, { env });
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
      if (round >= 0) samples[name].push(r.ms);
    }
  }
  const s = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
  const line = (label, x) => `${label}: median ${ms(x.median)}, p90 ${ms(x.p90)} (min ${ms(x.min)}, max ${ms(x.max)})`;
  console.log(`${PODS} pods, ${ROUNDS} alternating rounds after 2 of warm-up:`);
  console.log(line('kubectl get pods -o json', s.kubectl));
  console.log(line('dcos task list         ', s.table));
  console.log(line('dcos task list --json  ', s.json));
  console.log(`p90 ratios: table ${(s.table.p90 / s.kubectl.p90).toFixed(2)}x, --json ${(s.json.p90 / s.kubectl.p90).toFixed(2)}x`);
  let ok = verdict(`dcos task list / kubectl get pods -o json (medians, ${PODS} pods)`, s.table.median / s.kubectl.median, BUDGET);
  ok = verdict(`dcos task list --json / kubectl get pods -o json (medians, ${PODS} pods)`, s.json.median / s.kubectl.median, BUDGET) && ok;
  process.exitCode = ok ? 0 : 1;
} finally {
  attached?.remove();
  deleteNamespace(ns);
}
