/**
 * Marathon `fetch` URIs as an init container that downloads them into the sandbox emptyDir before
 * the app starts, checks a `#sha256=`/`#sha512=` fragment as our fetcher does, extracts archives
 * and sets the executable bit. It needs an image with a shell, wget, tar, unzip and sha*sum
 * (busybox has them all), given by the caller: without one, http(s) fetches are refused.
 * `file://` URIs and local paths name a file on a DC/OS agent and are always refused.
 */
import type { FetchUri } from '../../marathon/app-types.js';
import type { Container } from './objects.js';
import type { Findings } from './problems.js';
import { SANDBOX_PATH, SANDBOX_VOLUME } from './volumes.js';

export const FETCH_CONTAINER = 'fetch';

export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

interface Download {
  url: string;
  file: string;
  digest?: { algorithm: 'sha256' | 'sha512'; hex: string };
  extract: boolean;
  executable: boolean;
}

const HEX: Record<string, number> = { sha256: 64, sha512: 128 };

function parse(entry: FetchUri, path: string, fetchImage: string | undefined, findings: Findings): Download | undefined {
  const uri = entry.uri;
  if (uri.startsWith('/') || /^file:/i.test(uri)) {
    findings.refuse(`${path}.uri`, `${uri} is a file on a DC/OS agent, which a Kubernetes node does not have: serve it over http(s), or build it into the image`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    findings.refuse(`${path}.uri`, `${uri} is not a URL`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    findings.refuse(`${path}.uri`, `${url.protocol.replace(/:$/, '')} URIs cannot be downloaded by the fetch init container: serve it over http(s), or build it into the image`);
    return undefined;
  }
  if (!fetchImage) {
    findings.refuse(
      `${path}.uri`,
      `downloading ${uri} needs an init container image with sh, wget and tar, and none is configured: configure one, or use a package option that runs from an image with the file built in`,
    );
    return undefined;
  }
  const fragment = /^(sha256|sha512)=([0-9a-fA-F]+)$/.exec(url.hash.slice(1));
  const digest = fragment && fragment[2].length === HEX[fragment[1]] ? { algorithm: fragment[1] as 'sha256' | 'sha512', hex: fragment[2].toLowerCase() } : undefined;
  url.hash = '';
  let base = url.pathname.split('/').pop() ?? '';
  try {
    base = decodeURIComponent(base);
  } catch {
    // kept as written
  }
  const dest = entry.destPath ?? '';
  let file = dest === '' || dest.endsWith('/') ? `${dest}${base}` : dest;
  file = file.replace(/^\/+/, '');
  if (file === '' || file.endsWith('/') || file.split('/').includes('..')) {
    findings.refuse(`${path}.destPath`, `${uri} names no file inside the sandbox: give a destPath`);
    return undefined;
  }
  if (entry.cache) findings.note(`${path}.cache has no meaning on Kubernetes: every new pod downloads ${base} again`);
  return { url: url.toString(), file, digest, extract: entry.extract ?? true, executable: entry.executable ?? false };
}

function extractCommand(file: string): string | undefined {
  const q = shellQuote(file);
  const dir = shellQuote(file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.');
  const lower = file.toLowerCase();
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return `tar -xzf ${q} -C ${dir}`;
  if (lower.endsWith('.tar.bz2') || lower.endsWith('.tbz2')) return `tar -xjf ${q} -C ${dir}`;
  if (lower.endsWith('.tar.xz') || lower.endsWith('.txz')) return `tar -xJf ${q} -C ${dir}`;
  if (lower.endsWith('.tar')) return `tar -xf ${q} -C ${dir}`;
  if (lower.endsWith('.zip')) return `unzip -o -q ${q} -d ${dir}`;
  if (lower.endsWith('.gz')) return `gunzip -k -f ${q}`;
  return undefined;
}

/** The script of the init container: one download, check, extraction and chmod per URI. */
export function fetchScript(downloads: Download[]): string {
  const lines = ['set -e', `cd ${SANDBOX_PATH}`];
  for (const d of downloads) {
    const q = shellQuote(d.file);
    if (d.file.includes('/')) lines.push(`mkdir -p ${shellQuote(d.file.slice(0, d.file.lastIndexOf('/')))}`);
    lines.push(`wget -q -O ${q} ${shellQuote(d.url)}`);
    if (d.digest) lines.push(`echo ${shellQuote(`${d.digest.hex}  ${d.file}`)} | ${d.digest.algorithm}sum -c -`);
    const extract = d.extract ? extractCommand(d.file) : undefined;
    if (extract) lines.push(extract);
    if (d.executable) lines.push(`chmod +x ${q}`);
  }
  return lines.join('\n');
}

/** The init container, or undefined when there is nothing to fetch (or it was refused). */
export function fetchContainer(
  entries: FetchUri[],
  opts: { fetchImage?: string; base: Pick<Container, 'resources' | 'securityContext'> },
  findings: Findings,
): Container | undefined {
  const downloads = entries.flatMap((entry, i) => parse(entry, `fetch[${i}]`, opts.fetchImage, findings) ?? []);
  if (downloads.length === 0 || downloads.length !== entries.length || !opts.fetchImage) return undefined;
  findings.note(`fetch -> the init container "${FETCH_CONTAINER}" (${opts.fetchImage}) downloads ${downloads.length} URI${downloads.length === 1 ? '' : 's'} into the sandbox`);
  const securityContext = opts.base.securityContext
    ? { ...(opts.base.securityContext.runAsUser !== undefined ? { runAsUser: opts.base.securityContext.runAsUser } : {}), ...(opts.base.securityContext.runAsGroup !== undefined ? { runAsGroup: opts.base.securityContext.runAsGroup } : {}) }
    : undefined;
  return {
    name: FETCH_CONTAINER,
    image: opts.fetchImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', '-c', fetchScript(downloads)],
    ...(opts.base.resources && Object.keys(opts.base.resources).length ? { resources: opts.base.resources } : {}),
    volumeMounts: [{ name: SANDBOX_VOLUME, mountPath: SANDBOX_PATH }],
    ...(securityContext && Object.keys(securityContext).length ? { securityContext } : {}),
  };
}
