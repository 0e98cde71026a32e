// Runs every benchmark in bench/ in turn; each prints its ratios and exits non-zero when over budget.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const skip = new Set(['lib.mjs', 'report-rss.mjs', 'run-all.mjs']);
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs') && !skip.has(f)).sort()) {
  console.log(`\n# ${file}`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
process.exitCode = failed ? 1 : 0;
