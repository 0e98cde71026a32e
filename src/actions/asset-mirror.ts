/**
 * The asset mirror of a command: from `package.asset_mirror` / DCOS_PACKAGE_ASSET_MIRROR, and the
 * check, before anything is submitted, that every asset a rendered app refers to is in it.
 */
import { stat } from 'node:fs/promises';
import type { ActionCtx } from '../core/context.js';
import { DcosError, ExitCode } from '../core/errors.js';
import { loadUndici } from '../core/undici.js';
import { networkReason } from '../universe/http-cache.js';
import { describeMirror, parseMirror, type AssetMirror, type MirroredAsset } from '../universe/assets.js';

export function configuredMirror(ctx: ActionCtx): AssetMirror | undefined {
  const value = ctx.config.getString('package.asset_mirror');
  return value ? parseMirror(value) : undefined;
}

export interface MissingAsset {
  asset: MirroredAsset;
  reason: string;
}

/** The assets the mirror cannot give: a stat of each file, or a HEAD of each URL. */
export async function missingFromMirror(ctx: ActionCtx, mirror: AssetMirror, assets: readonly MirroredAsset[]): Promise<MissingAsset[]> {
  const check = mirror.kind === 'dir' ? statReason : await headChecker(ctx);
  const reasons = await Promise.all(assets.map((a) => check(a.location)));
  return assets.flatMap((asset, i) => (reasons[i] ? [{ asset, reason: reasons[i] }] : []));
}

/** Throws, naming each missing file and the mirror, when an asset is not in the mirror. */
export async function requireMirrored(ctx: ActionCtx, mirror: AssetMirror, assets: readonly MirroredAsset[]): Promise<void> {
  const missing = await missingFromMirror(ctx, mirror, assets);
  if (missing.length === 0) return;
  const names = missing.map((m) => m.asset.fileName).join(', ');
  throw new DcosError('EASSET_MISSING', `${missing.length === 1 ? 'Asset' : 'Assets'} ${names} not found in the asset mirror ${describeMirror(mirror)}; nothing was submitted`, {
    exitCode: ExitCode.assetMissing,
    showDetails: true,
    details: missing.map((m) => ({ path: m.asset.location, message: `${m.reason} (asset "${m.asset.name}", originally ${m.asset.original})` })),
    hint: 'Copy the files there with: dcos package pull <name> [--package-version V] --to <mirror directory>',
  });
}

async function statReason(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    return st.isFile() ? undefined : 'not a regular file';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
  }
}

async function headChecker(ctx: ActionCtx): Promise<(url: string) => Promise<string | undefined>> {
  const undici = await loadUndici();
  const ms = Math.min(ctx.config.getNumber('core.timeout') ?? 180, 60) * 1000;
  const dispatcher = new undici.Agent({ connectTimeout: Math.min(ms, 30_000), headersTimeout: ms, bodyTimeout: ms }).compose(undici.interceptors.redirect({ maxRedirections: 5 }));
  const ask = async (url: string, method: 'HEAD' | 'GET'): Promise<number> => {
    // A server without HEAD is asked for the first byte only.
    const headers = method === 'GET' ? { range: 'bytes=0-0' } : undefined;
    const res = await undici.request(url, { method, headers, dispatcher, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ms)]) });
    await res.body.dump().catch(() => {});
    return res.statusCode;
  };
  return async (url) => {
    try {
      let status = await ask(url, 'HEAD');
      if (status === 405 || status === 501) status = await ask(url, 'GET');
      return status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      return networkReason(err);
    }
  };
}
