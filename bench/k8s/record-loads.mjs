// Preload (node --import) that records every file a dcos run loads, one path a line, in
// $DCOS_BENCH_LOADS_FILE: ES modules as the module hooks see them load (written at once, from the
// hooks' thread), CommonJS files from require's cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

let file;

/** Module hook: where to record. */
export function initialize(data) {
  file = data.file;
}

/** Module hook: records each file:// module as it loads. */
export async function load(url, context, nextLoad) {
  if (file && url.startsWith('file:')) appendFileSync(file, `${fileURLToPath(url)}\n`);
  return nextLoad(url, context);
}

if (isMainThread && process.env.DCOS_BENCH_LOADS_FILE) {
  const out = process.env.DCOS_BENCH_LOADS_FILE;
  register(import.meta.url, { data: { file: out } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => appendFileSync(out, Object.keys(require.cache).map((f) => `${f}\n`).join('')));
}
