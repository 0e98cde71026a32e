import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  appendFileSync(process.env.DCOS_PROBE_FILE, `${url}\n`);
  return next(url, context);
}
