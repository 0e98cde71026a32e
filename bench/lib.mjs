// Shared benchmark helpers: time whole processes (median of N after warm-up) and read their peak RSS.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DCOS = join(ROOT, 'bin', 'dcos.js');
const RSS_HOOK = join(ROOT, 'bench', 'report-rss.mjs');

/** Runs `node <args>` `runs` times after `warmup` runs; returns wall-clock statistics in ms. */
export function time(args, { runs = 15, warmup = 3, env = {}, expectStatus = 0 } = {}) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== expectStatus) {
      throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    }
    if (i >= warmup) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], runs };
}

/** Peak resident set size (MB) of one run of `node <args>`. */
export function peakRss(args, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dcos-rss-'));
  const out = join(dir, 'rss');
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, ...args], {
    env: { ...process.env, ...env, DCOS_BENCH_RSS_FILE: out },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const kb = Number(readFileSync(out, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  return kb / 1024;
}

/** A spawnSync result that must have succeeded: returned, or an Error naming `what` and its stderr. */
export function must(r, what) {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr}`);
  return r;
}

export function ratio(a, b) {
  return (a / b).toFixed(2);
}

/** Prints one result line and returns whether it is within its budget. */
export function report(label, value, budget, unit = 'x') {
  const ok = value <= budget;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${label}: ${typeof value === 'number' ? value.toFixed(2) : value}${unit} (budget ${budget}${unit})`);
  return ok;
}

/**
 * A local cluster in a fresh DCOS_DIR, started through the CLI, with helpers to run dcos and call
 * the cluster's API; `stop()` takes it down and removes the directory.
 */
export async function benchCluster(name, extraEnv = {}) {
  const home = mkdtempSync(join(tmpdir(), `dcos-bench-${name}-`));
  const env = { ...process.env, DCOS_DIR: join(home, 'dcos'), ...extraEnv };
  const dcos = (...args) => spawnSync(process.execPath, [DCOS, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const up = dcos('cluster', 'up', '--json');
  if (up.status !== 0) throw new Error(up.stderr);
  const { url } = JSON.parse(up.stdout);
  const token = dcos('config', 'show', 'core.dcos_acs_token').stdout.trim();
  const api = async (method, path, body) =>
    (await fetch(`${url}${path}`, { method, headers: { authorization: `token=${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) })).json();
  return {
    env,
    url,
    token,
    dcos,
    api,
    stop() {
      dcos('cluster', 'down');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * An assembled release distribution (`file`, e.g. kafka_2.13-4.0.0.tgz) from the tests'
 * distribution cache (test/helpers/maven-dist.ts): no download site is reachable here, and the
 * benches do not resolve Maven themselves. Throws naming the test that assembles it.
 */
export function cachedDist(file, test) {
  const cache = process.env.DCOS_TEST_CACHE ?? join(homedir(), '.cache', 'dcos-tests', 'dists');
  for (const key of existsSync(cache) ? readdirSync(cache) : []) {
    const path = join(cache, key, file);
    if (existsSync(path) && existsSync(`${path}.sha512`)) return { path, sha512: readFileSync(`${path}.sha512`, 'utf8').trim() };
  }
  throw new Error(`No assembled ${file} under ${cache}: run "npx vitest run test/integration/${test}" once first`);
}

/**
 * A repository directory holding a copy of bundled revisions, each with one asset pointed at an
 * assembled distribution: `[{ pkg, revision, asset, dist }]`. The caller removes it.
 */
export function benchRepository(entries) {
  const dir = mkdtempSync(join(tmpdir(), 'dcos-bench-repo-'));
  for (const { pkg, revision, asset, dist } of entries) {
    const letter = pkg[0].toUpperCase();
    const target = join(dir, 'packages', letter, pkg, '0');
    cpSync(join(ROOT, 'packages-repo', 'packages', letter, pkg, String(revision)), target, { recursive: true });
    const resource = JSON.parse(readFileSync(join(target, 'resource.json'), 'utf8'));
    if (!(asset in (resource.assets?.uris ?? {}))) throw new Error(`${pkg} revision ${revision} has no asset "${asset}"`);
    resource.assets.uris[asset] = `file://${dist.path}#sha512=${dist.sha512}`;
    writeFileSync(join(target, 'resource.json'), JSON.stringify(resource));
  }
  return dir;
}

/** Makes `repo` the one package repository of a bench cluster's DCOS_DIR. */
export function useRepository(cluster, repo) {
  mkdirSync(cluster.env.DCOS_DIR, { recursive: true });
  writeFileSync(join(cluster.env.DCOS_DIR, 'repositories.json'), JSON.stringify({ repositories: [{ name: 'bench', uri: repo }] }));
}
