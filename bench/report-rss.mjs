// Preloaded with --import by bench/lib.mjs: writes the process's peak RSS (KiB) when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.DCOS_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
