// `dcos task list` with 1,000 running tasks: at most 2 x `dcos --version`, measured in the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCOS, ratio, report, time } from './lib.mjs';

const N = Number(process.env.BENCH_TASKS ?? 1000);
const home = mkdtempSync(join(tmpdir(), 'dcos-bench-tasklist-'));
const env = { ...process.env, DCOS_DIR: join(home, 'dcos'), DCOS_NODE_CPUS: '64', DCOS_NODE_MEM: '65536' };
const dcos = (...args) => spawnSync(process.execPath, [DCOS, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  const up = dcos('cluster', 'up', '--json');
  if (up.status !== 0) throw new Error(up.stderr);
  const { url } = JSON.parse(up.stdout);
  const token = dcos('config', 'show', 'core.dcos_acs_token').stdout.trim();
  const api = async (method, path, body) =>
    (await fetch(`${url}${path}`, { method, headers: { authorization: `token=${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) })).json();
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
  dcos('cluster', 'down');
  rmSync(home, { recursive: true, force: true });
}
