// The daemon's memory while it runs kafka, cassandra and spark together (process runtimes, the
// distributions the integration tests assembled: run kafka-real, cassandra-real and spark-real
// once first): its RSS (VmRSS of /proc/<pid>/status) sampled every 200 ms from before the first
// install until all three have run healthy, health-checked and listed, for 30 s. Budget: the
// peak stays under 150 MB. Printed beside the same daemon's RSS idle with nothing installed, the
// baseline measured in this run.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCluster, benchRepository, cachedDist, must, report, sleep, useRepository } from './lib.mjs';

const BUDGET_MB = 150;
const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 30_000);
const SERVICES = [
  { pkg: 'kafka', revision: 3, asset: 'kafka-dist', file: 'kafka_2.13-4.0.0.tgz', test: 'kafka-real.test.ts', options: { service: { mem: 1024 }, storage: { size_mb: 1024 }, kafka: { heap_mb: 512 } } },
  { pkg: 'cassandra', revision: 2, asset: 'cassandra', file: 'apache-cassandra-5.0.9-bin.tar.gz', test: 'cassandra-real.test.ts', options: { service: { mem: 1536 }, cassandra: { max_heap_mb: 512 } } },
  { pkg: 'spark', revision: 2, asset: 'spark-tgz', file: 'spark-3.5.5-bin-hadoop3.tgz', test: 'spark-real.test.ts', options: { service: { cpus: 1.5, mem: 2048 }, storage: { size_mb: 128 }, spark: { workers: 2, worker_cores: 1, worker_memory_mb: 512, daemon_memory_mb: 256 } } },
];

const rssMb = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

const repo = benchRepository(SERVICES.map((s) => ({ ...s, dist: cachedDist(s.file, s.test) })));
const cluster = await benchCluster('services-rss', { DCOS_NODE_DISK: '40000', DCOS_NODE_MEM: '16384', DCOS_NODE_CPUS: '8' });
const { dcos } = cluster;
try {
  useRepository(cluster, repo);
  const pid = JSON.parse(must(dcos('cluster', 'status', '--json'), 'cluster status').stdout).pid;
  // Idle: the same daemon after a few seconds with nothing installed (and the catalog read once).
  must(dcos('package', 'search', 'kafka'), 'package search');
  await sleep(3000);
  const idle = [];
  for (let i = 0; i < 10; i++, await sleep(200)) idle.push(rssMb(pid));
  const idleMb = Math.max(...idle);

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
  try {
    for (const s of SERVICES) {
      const file = join(cluster.env.DCOS_DIR, `${s.pkg}-options.json`);
      writeFileSync(file, JSON.stringify(s.options));
      const start = performance.now();
      must(dcos('package', 'install', s.pkg, '--options', file, '--yes', '--timeout', '420s'), `install ${s.pkg}`);
      console.log(`${s.pkg} installed and healthy in ${((performance.now() - start) / 1000).toFixed(1)} s; daemon RSS now ${rssMb(pid).toFixed(1)} MB`);
    }
    // All three running: health checks go on, and the CLI asks what runs, as users do.
    const until = Date.now() + HOLD_MS;
    let asked = 0;
    while (Date.now() < until) {
      must(dcos('task', 'list', '--json'), 'task list');
      must(dcos('package', 'list', '--json'), 'package list');
      asked += 1;
      await sleep(1000);
    }
    const tasks = JSON.parse(must(dcos('task', 'list', '--json'), 'task list').stdout);
    if (tasks.length !== SERVICES.length) throw new Error(`expected ${SERVICES.length} tasks, found ${tasks.length}`);
    console.log(`held ${HOLD_MS / 1000} s with ${tasks.length} tasks running (${asked} rounds of task list and package list)`);
  } finally {
    clearInterval(sampler);
  }
  console.log(`daemon RSS idle: ${idleMb.toFixed(1)} MB; peak with kafka, cassandra and spark: ${peak.toFixed(1)} MB (${(peak / idleMb).toFixed(2)}x idle)`);
  const ok = report('daemon RSS running kafka, cassandra and spark', peak, BUDGET_MB, ' MB');
  for (const s of SERVICES) must(dcos('package', 'uninstall', s.pkg, '--yes'), `uninstall ${s.pkg}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  cluster.stop();
  rmSync(repo, { recursive: true, force: true });
}
