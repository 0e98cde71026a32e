/**
 * A package's downloadable assets (`resource.json` `assets.uris`) and the asset mirror: the same
 * file looked up by its name under a directory or an http(s) base URL. The checksum fragment
 * (`#sha256=<hex>` or `#sha512=<hex>`) is part of an asset's identity: it is kept when a URI is
 * rewritten, so the fetcher still verifies what it gets.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DcosError } from '../core/errors.js';
import type { PackageDefinition, Resource } from './model.js';

export type ChecksumAlgorithm = 'sha256' | 'sha512';

const HEX_LENGTH: Record<ChecksumAlgorithm, number> = { sha256: 64, sha512: 128 };

export interface AssetUri {
  /** The URI as the package gives it, fragment included. */
  uri: string;
  /** Without the fragment: what is requested. */
  location: string;
  /** `#...` or ''. */
  fragment: string;
  /** The file name under which the asset is pulled and looked up in a mirror. */
  fileName: string;
  checksum?: { algorithm: ChecksumAlgorithm; hex: string };
}

export interface PackageAsset extends AssetUri {
  /** Its key in assets.uris. */
  name: string;
}

export function parseAssetUri(uri: string): AssetUri {
  const hash = uri.indexOf('#');
  const location = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? '' : uri.slice(hash);
  let pathname: string;
  if (location.startsWith('/')) pathname = location;
  else {
    try {
      pathname = new URL(location).pathname;
    } catch {
      throw new DcosError('EASSET_URI', `Asset URI ${uri} is not a URL or an absolute path`);
    }
  }
  let fileName = path.posix.basename(pathname);
  try {
    fileName = decodeURIComponent(fileName);
  } catch {
    // not valid percent-encoding: keep it as written
  }
  if (!fileName || fileName === '.' || fileName === '..' || fileName.includes('/')) {
    throw new DcosError('EASSET_URI', `Asset URI ${uri} names no file (its path must end with a file name)`);
  }
  return { uri, location, fragment, fileName, checksum: checksumOf(fragment) };
}

/** `#sha256=<64 hex>` or `#sha512=<128 hex>`; another fragment carries no checksum. */
function checksumOf(fragment: string): AssetUri['checksum'] {
  const m = /^#(sha256|sha512)=([0-9a-fA-F]+)$/.exec(fragment);
  if (!m) return undefined;
  const algorithm = m[1] as ChecksumAlgorithm;
  if (m[2].length !== HEX_LENGTH[algorithm]) return undefined;
  return { algorithm, hex: m[2].toLowerCase() };
}

/** Every asset of a revision, in the order resource.json lists them. */
export function packageAssets(def: PackageDefinition): PackageAsset[] {
  return Object.entries(def.resource?.assets?.uris ?? {})
    .filter(([, uri]) => typeof uri === 'string')
    .map(([name, uri]) => ({ name, ...parseAssetUri(uri) }));
}

/** The container images of a revision (assets.container.docker): never pulled as files. */
export function packageImages(def: PackageDefinition): Array<{ name: string; image: string }> {
  return Object.entries(def.resource?.assets?.container?.docker ?? {}).map(([name, image]) => ({ name, image: String(image) }));
}

/** A mirror: a directory (absolute path) or an http(s) base URL, as the setting gives it. */
export interface AssetMirror {
  kind: 'dir' | 'http';
  /** An absolute directory, or a base URL without a trailing slash. */
  base: string;
}

export function parseMirror(value: string): AssetMirror {
  if (/^https?:\/\//i.test(value)) return { kind: 'http', base: value.replace(/\/+$/, '') };
  if (!path.isAbsolute(value)) throw new DcosError('EASSET_MIRROR', `Asset mirror ${value} is neither an absolute directory nor an http(s) URL`);
  return { kind: 'dir', base: path.resolve(value) };
}

export function describeMirror(mirror: AssetMirror): string {
  return mirror.kind === 'dir' ? `directory ${mirror.base}` : mirror.base;
}

/** Where the mirror holds a file: its path (directory) or URL (http), without fragment. */
export function mirrorLocation(mirror: AssetMirror, fileName: string): string {
  return mirror.kind === 'dir' ? path.join(mirror.base, fileName) : `${mirror.base}/${encodeURIComponent(fileName)}`;
}

/** The URI of an asset under the mirror, its fragment kept. */
export function mirroredUri(asset: AssetUri, mirror: AssetMirror): string {
  const where = mirrorLocation(mirror, asset.fileName);
  return (mirror.kind === 'dir' ? pathToFileURL(where).href : where) + asset.fragment;
}

export interface MirroredAsset {
  name: string;
  fileName: string;
  original: string;
  uri: string;
  /** The file's path or URL in the mirror, without fragment: what must exist. */
  location: string;
}

/** The resource with every asset URI rewritten to the mirror, and what was rewritten. */
export function mirrorResource(resource: Resource | undefined, mirror: AssetMirror): { resource: Resource | undefined; rewritten: MirroredAsset[] } {
  const uris = resource?.assets?.uris;
  if (!resource || !uris) return { resource, rewritten: [] };
  const rewritten: MirroredAsset[] = [];
  const next: Record<string, string> = {};
  for (const [name, uri] of Object.entries(uris)) {
    if (typeof uri !== 'string') {
      next[name] = uri;
      continue;
    }
    const asset = parseAssetUri(uri);
    const mirrored = mirroredUri(asset, mirror);
    next[name] = mirrored;
    rewritten.push({ name, fileName: asset.fileName, original: uri, uri: mirrored, location: mirrorLocation(mirror, asset.fileName) });
  }
  return { resource: { ...resource, assets: { ...resource.assets, uris: next } }, rewritten };
}

/** The rewritten assets the rendered app refers to (a template may use only some of them). */
export function usedBy(app: Record<string, unknown>, rewritten: readonly MirroredAsset[]): MirroredAsset[] {
  const text = JSON.stringify(app);
  return rewritten.filter((a) => text.includes(JSON.stringify(a.uri).slice(1, -1)));
}
