/** Resolving, describing and rendering one package. */
import type { ActionCtx } from '../core/context.js';
import { Catalog } from '../universe/catalog.js';
import type { ResolvedPackage } from '../universe/model.js';
import type { JsonObject } from '../universe/options.js';
import { renderAndCheck, type RenderResult } from '../universe/render.js';
import { listVersions } from '../universe/versions.js';
import { describeMirror } from '../universe/assets.js';
import { configuredMirror, missingFromMirror } from './asset-mirror.js';

export interface DescribeResult {
  pkg: ResolvedPackage;
  /** Every version of the package, newest revision first, across repositories. */
  versions: Array<{ version: string; releaseVersion: number }>;
}

export async function describePackage(ctx: ActionCtx, name: string, version?: string): Promise<DescribeResult> {
  const catalog = new Catalog(ctx);
  const pkg = await catalog.resolve(name, version);
  const versions = listVersions(await catalog.candidates(name));
  return { pkg, versions };
}

/** With an asset mirror, the URIs are the mirror's; a file missing from it is a warning here. */
export async function renderResolved(ctx: ActionCtx, pkg: ResolvedPackage, options: JsonObject, appId?: string): Promise<RenderResult> {
  const mirror = configuredMirror(ctx);
  const result = await renderAndCheck({ pkg, options, appId, mirror });
  if (mirror) {
    for (const { asset, reason } of await missingFromMirror(ctx, mirror, result.mirrored)) {
      ctx.warn(`Asset ${asset.fileName} not found in the asset mirror ${describeMirror(mirror)} (${reason}): an install would fail`);
    }
  }
  return result;
}
