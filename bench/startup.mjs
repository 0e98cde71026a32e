// Start-up budgets: `dcos --version` and `dcos --help` at most 1.3 x `node -e 0`;
// `dcos package search kafka` on the bundled repository at most 1.6 x `node -e 0`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCOS, ratio, report, time } from './lib.mjs';

const home = mkdtempSync(join(tmpdir(), 'dcos-bench-'));
const env = { DCOS_DIR: join(home, 'dcos') };
const runs = Number(process.env.BENCH_RUNS ?? 21);

const baseline = time(['-e', '0'], { runs });
const version = time([DCOS, '--version'], { runs, env });
const help = time([DCOS, '--help'], { runs, env });
const search = time([DCOS, 'package', 'search', 'kafka'], { runs, env });
rmSync(home, { recursive: true, force: true });

console.log(`node -e 0: ${baseline.median.toFixed(1)} ms (median of ${runs})`);
console.log(`dcos --version: ${version.median.toFixed(1)} ms, dcos --help: ${help.median.toFixed(1)} ms, dcos package search kafka: ${search.median.toFixed(1)} ms`);
let ok = true;
ok = report('dcos --version / node -e 0', Number(ratio(version.median, baseline.median)), 1.3) && ok;
ok = report('dcos --help / node -e 0', Number(ratio(help.median, baseline.median)), 1.3) && ok;
ok = report('dcos package search kafka / node -e 0', Number(ratio(search.median, baseline.median)), 1.6) && ok;
process.exitCode = ok ? 0 : 1;
