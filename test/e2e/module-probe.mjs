// Preloaded with --import: records every ES module the process loads (one URL per line) in the file
// named by DCOS_PROBE_FILE, via a loader hook (Node 20 runs hooks in their own thread).
import { register } from 'node:module';

if (process.env.DCOS_PROBE_FILE) register('./module-probe-hooks.mjs', import.meta.url);
