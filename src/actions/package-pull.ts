/**
 * `package pull`: every asset of a revision downloaded into a directory under its file name, each
 * verified with the checksum its URI names, so that the directory can serve as an asset mirror on
 * a network without internet. Atomic (a temporary file renamed into place) and resumable: a file
 * already there with the right checksum is kept as it is.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import type { ActionCtx } from '../core/context.js';
import { DcosError, ExitCode, isDcosError, type ErrorDetail } from '../core/errors.js';
import { loadUndici } from '../core/undici.js';
import { Catalog } from '../universe/catalog.js';
import { networkReason } from '../universe/http-cache.js';
import { packageAssets, packageImages, type ChecksumAlgorithm, type PackageAsset } from '../universe/assets.js';

export interface PulledAsset {
  name: string;
  uri: string;
  file: string;
  /** pulled: downloaded now; present: already there with the right checksum. */
  status: 'pulled' | 'present';
  algorithm: ChecksumAlgorithm;
  checksum: string;
  /** False when the URI names no checksum (the sha512 is then only reported). */
  verified: boolean;
  bytes: number;
}

export interface PullResult {
  packageName: string;
  packageVersion: string;
  dir: string;
  assets: PulledAsset[];
  images: Array<{ name: string; image: string; pulled: false; reason: string }>;
}

export type PullEvent =
  | { kind: 'start'; asset: PackageAsset; index: number; total: number }
  | { kind: 'progress'; asset: PackageAsset; bytes: number; size?: number }
  | { kind: 'done'; asset: PackageAsset; result: PulledAsset }
  | { kind: 'failed'; asset: PackageAsset; reason: string };

export interface PullOptions {
  name: string;
  version?: string;
  dir: string;
  onEvent?: (event: PullEvent) => void;
}

const IMAGE_REASON = 'container images are not files: copy them with your image registry tooling (e.g. podman pull, podman save)';

class Mismatch extends Error {
  constructor(readonly asset: PackageAsset, readonly actual: string) {
    super(`Checksum mismatch for ${asset.uri}: expected ${asset.checksum?.algorithm} ${asset.checksum?.hex}, got ${actual}`);
  }
}

export async function pullPackage(ctx: ActionCtx, opts: PullOptions): Promise<PullResult> {
  const pkg = await new Catalog(ctx).resolve(opts.name, opts.version);
  const def = pkg.definition;
  const dir = path.resolve(ctx.cwd, opts.dir);
  const assets = uniqueByFile(packageAssets(def));
  await mkdir(dir, { recursive: true });
  const timeoutSeconds = ctx.config.getNumber('core.timeout') || 180;
  let agent: Dispatcher | undefined;
  const dispatcher = async (): Promise<Dispatcher> => {
    if (!agent) {
      const undici = await loadUndici();
      const ms = timeoutSeconds * 1000;
      agent = new undici.Agent({ connectTimeout: Math.min(ms, 30_000), headersTimeout: ms, bodyTimeout: ms }).compose(undici.interceptors.redirect({ maxRedirections: 5 }));
    }
    return agent;
  };
  const pulled: PulledAsset[] = [];
  const failures: ErrorDetail[] = [];
  let mismatches = 0;
  for (const [i, asset] of assets.entries()) {
    opts.onEvent?.({ kind: 'start', asset, index: i, total: assets.length });
    try {
      const result = await pullOne(ctx, asset, dir, dispatcher, timeoutSeconds, (bytes, size) => opts.onEvent?.({ kind: 'progress', asset, bytes, size }));
      if (!result.verified) ctx.warn(`Asset ${asset.name} (${asset.uri}) names no checksum (#sha256= or #sha512=): downloaded without verification; its sha512 is ${result.checksum}`);
      pulled.push(result);
      opts.onEvent?.({ kind: 'done', asset, result });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      if (err instanceof Mismatch) {
        mismatches++;
        failures.push({ path: asset.uri, message: `expected ${asset.checksum?.algorithm} ${asset.checksum?.hex}, got ${err.actual} (the download was not kept)` });
      } else failures.push({ path: asset.uri, message: isDcosError(err) ? err.message : String((err as Error).message ?? err) });
      opts.onEvent?.({ kind: 'failed', asset, reason: failures[failures.length - 1].message });
    }
  }
  await agent?.close().catch(() => {});
  if (failures.length) {
    const what = mismatches === failures.length ? `checksum mismatch` : mismatches ? `${mismatches} checksum mismatch(es)` : 'download failed';
    throw new DcosError(mismatches ? 'ECHECKSUM' : 'EPULL', `${failures.length} of ${assets.length} assets of [${def.name}] version [${def.version}] not pulled (${what}): ${failures.map((f) => f.path).join(', ')}`, {
      exitCode: mismatches ? ExitCode.checksumMismatch : ExitCode.failure,
      details: failures,
      showDetails: true,
      hint: `The other assets are in ${dir}; run the same command again to retry (files already verified are kept).`,
    });
  }
  return {
    packageName: def.name,
    packageVersion: def.version,
    dir,
    assets: pulled,
    images: packageImages(def).map((img) => ({ ...img, pulled: false as const, reason: IMAGE_REASON })),
  };
}

/** One file per name: the same URI twice is pulled once; two URIs for one file name are refused. */
function uniqueByFile(assets: PackageAsset[]): PackageAsset[] {
  const byFile = new Map<string, PackageAsset>();
  for (const a of assets) {
    const seen = byFile.get(a.fileName);
    if (!seen) byFile.set(a.fileName, a);
    else if (seen.uri !== a.uri) {
      throw new DcosError('EASSET_CONFLICT', `Assets "${seen.name}" (${seen.uri}) and "${a.name}" (${a.uri}) have the same file name ${a.fileName}; a mirror cannot hold both`);
    }
  }
  return [...byFile.values()];
}

async function pullOne(
  ctx: ActionCtx,
  asset: PackageAsset,
  dir: string,
  dispatcher: () => Promise<Dispatcher>,
  timeoutSeconds: number,
  onBytes: (bytes: number, size?: number) => void,
): Promise<PulledAsset> {
  const file = path.join(dir, asset.fileName);
  const algorithm = asset.checksum?.algorithm ?? 'sha512';
  const base = { name: asset.name, uri: asset.uri, file, algorithm, verified: asset.checksum !== undefined };
  // Resumable: a file already there whose checksum matches is not fetched again.
  if (asset.checksum) {
    const existing = await stat(file).catch(() => undefined);
    if (existing?.isFile() && (await hashFile(file, algorithm)) === asset.checksum.hex) {
      return { ...base, status: 'present', checksum: asset.checksum.hex, bytes: existing.size };
    }
  }
  const temp = path.join(dir, `.${asset.fileName}.${randomBytes(4).toString('hex')}.part`);
  try {
    const { hex, bytes } = await download(ctx, asset, temp, algorithm, dispatcher, timeoutSeconds, onBytes);
    if (asset.checksum && hex !== asset.checksum.hex) throw new Mismatch(asset, hex);
    await rename(temp, file);
    return { ...base, status: 'pulled', checksum: hex, bytes };
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function download(
  ctx: ActionCtx,
  asset: PackageAsset,
  dest: string,
  algorithm: ChecksumAlgorithm,
  dispatcher: () => Promise<Dispatcher>,
  timeoutSeconds: number,
  onBytes: (bytes: number, size?: number) => void,
): Promise<{ hex: string; bytes: number }> {
  const location = asset.location;
  if (location.startsWith('/') || location.startsWith('file:')) {
    const local = location.startsWith('/') ? location : fileURLToPath(location);
    try {
      const st = await stat(local);
      if (!st.isFile()) throw new DcosError('EPULL', `Failed to pull ${asset.uri}: not a regular file`);
      return await hashInto(createReadStream(local), dest, algorithm, ctx.signal, (n) => onBytes(n, st.size));
    } catch (err) {
      if (isDcosError(err) || ctx.signal.aborted) throw err;
      throw new DcosError('EPULL', `Failed to pull ${asset.uri}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  if (!/^https?:/i.test(location)) throw new DcosError('EPULL', `Failed to pull ${asset.uri}: only http(s) and file URIs can be pulled`);
  const undici = await loadUndici();
  try {
    const res = await undici.request(location, { method: 'GET', dispatcher: await dispatcher(), signal: ctx.signal, headers: { 'user-agent': 'dcos-package-pull' } });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump().catch(() => {});
      throw new DcosError('EPULL', `Failed to pull ${asset.uri}: HTTP ${res.statusCode}`);
    }
    const length = Number(res.headers['content-length']);
    return await hashInto(res.body, dest, algorithm, ctx.signal, (n) => onBytes(n, Number.isFinite(length) && length > 0 ? length : undefined));
  } catch (err) {
    if (isDcosError(err) || ctx.signal.aborted) throw err;
    const reason = /TIMEOUT/.test(String((err as { code?: string }).code)) ? `timed out (no data for ${timeoutSeconds} s)` : networkReason(err);
    throw new DcosError('EPULL', `Failed to pull ${asset.uri}: ${reason}`);
  }
}

async function hashInto(input: Readable, dest: string, algorithm: ChecksumAlgorithm, signal: AbortSignal, onBytes: (bytes: number) => void): Promise<{ hex: string; bytes: number }> {
  const hash = createHash(algorithm);
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes(bytes);
      done(null, chunk);
    },
  });
  await pipeline(input, tap, createWriteStream(dest), { signal });
  return { hex: hash.digest('hex'), bytes };
}

async function hashFile(file: string, algorithm: ChecksumAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
