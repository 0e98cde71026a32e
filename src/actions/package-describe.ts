/** Resolving, describing and rendering one package. */
import type { ActionCtx } from '../core/context.js';
import { Catalog } from '../universe/catalog.js';
import type { ResolvedPackage } from '../universe/model.js';
import type { JsonObject } from '../universe/options.js';
import { renderAndCheck, type RenderResult } from '../universe/render.js';
import { listVersions } from '../universe/versions.js';

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

export async function renderResolved(pkg: ResolvedPackage, options: JsonObject, appId?: string): Promise<RenderResult> {
  return renderAndCheck({ pkg, options, appId });
}
