// `dcos task list` with 1,000 running tasks: at most 2 x `dcos --version`, measured in the same run.
import { benchCluster, DCOS, ratio, report, sleep, time } from './lib.mjs';

const N = Number(process.env.BENCH_TASKS ?? 1000);
const cluster = await benchCluster('tasklist', { DCOS_NODE_CPUS: '64', DCOS_NODE_MEM: '65536' });
const { env, dcos, api } = cluster;

try {
  await api('POST', '/v2/apps', { id: '/many', cmd: 'exec sleep 100000', instances: N, cpus: 0.01, mem: 1, portDefinitions: [] });
  while ((await api('GET', '/v2/apps/many')).app.tasksRunning < N) await sleep(100);

  const listed = dcos('task', 'list');
  const rows = listed.stdout.trim().split('\n').length - 1;
  if (listed.status !== 0 || rows !== N) throw new Error(`task list printed ${rows} rows (exit ${listed.status}): ${listed.stderr}`);
  const version = time([DCOS, '--version'], { runs: 21, env });
  const list = time([DCOS, 'task', 'list'], { runs: 21, env });
  console.log(`dcos --version: ${version.median.toFixed(1)} ms; dcos task list (${N} tasks): ${list.median.toFixed(1)} ms`);
  process.exitCode = report(`task list with ${N} tasks / dcos --version`, Number(ratio(list.median, version.median)), 2) ? 0 : 1;
} finally {
  cluster.stop();
}
