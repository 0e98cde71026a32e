// Search on a generated repository: 20,000 package revisions (the size of the largest public Helm
// indexes) must search in at most 3 x `node -e 0` and under 150 MB RSS, and going from 2,000 to
// 20,000 revisions may cost search at most 1.5 x the time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DCOS, peakRss, ratio, report, time } from './lib.mjs';

const REVISIONS_PER_PACKAGE = 10;
const WORDS = ['stream', 'queue', 'cache', 'store', 'graph', 'search', 'metrics', 'proxy', 'ledger', 'index'];

/** A repository in Universe layout with `revisions` revisions spread over packages of 10 each. */
function generateRepo(dir, revisions) {
  const packages = revisions / REVISIONS_PER_PACKAGE;
  for (let p = 0; p < packages; p++) {
    const name = `pkg-${WORDS[p % WORDS.length]}-${p}`;
    for (let r = 0; r < REVISIONS_PER_PACKAGE; r++) {
      const rev = join(dir, 'packages', 'P', name, String(r));
      mkdirSync(rev, { recursive: true });
      writeFileSync(join(rev, 'package.json'), JSON.stringify({
        packagingVersion: '4.0', name, version: `1.${r}.0`, maintainer: 'bench@example.com',
        description: `Generated ${WORDS[p % WORDS.length]} service number ${p}, revision ${r}, for the search benchmark.`,
        tags: [WORDS[p % WORDS.length], 'generated'], upgradesFrom: r ? [`1.${r - 1}.0`] : [],
      }));
      writeFileSync(join(rev, 'config.json'), JSON.stringify({
        type: 'object', properties: { service: { type: 'object', description: 'Service', properties: { name: { type: 'string', default: name, description: 'App id' } } } },
      }));
      writeFileSync(join(rev, 'marathon.json.mustache'), '{"id": "{{service.name}}", "cmd": "sleep 1000", "instances": 1}\n');
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'dcos-bench-scale-'));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const results = {};
try {
  for (const size of [2000, 20000]) {
    const repo = join(work, `repo-${size}`);
    generateRepo(repo, size);
    const env = { DCOS_DIR: join(work, `home-${size}`) };
    const add = spawnSync(process.execPath, [DCOS, 'package', 'repo', 'add', 'generated', repo, '--index', '0'], { env: { ...process.env, ...env } });
    if (add.status !== 0) throw new Error(`repo add failed: ${add.stderr}`);
    const args = [DCOS, 'package', 'search', 'ledger'];
    results[size] = { time: time(args, { runs, env }), rss: peakRss(args, env) };
  }
  const baseline = time(['-e', '0'], { runs });
  console.log(`node -e 0: ${baseline.median.toFixed(1)} ms`);
  for (const size of [2000, 20000]) {
    console.log(`search, ${size} revisions (warm index): ${results[size].time.median.toFixed(1)} ms, peak RSS ${results[size].rss.toFixed(0)} MB`);
  }
  let ok = true;
  ok = report('search 20,000 revisions / node -e 0', Number(ratio(results[20000].time.median, baseline.median)), 3) && ok;
  ok = report('search 20,000 revisions peak RSS', results[20000].rss, 150, ' MB') && ok;
  ok = report('search 20,000 / search 2,000 revisions', Number(ratio(results[20000].time.median, results[2000].time.median)), 1.5) && ok;
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
