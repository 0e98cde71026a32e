/**
 * Tar extraction through the system `tar` (GNU or bsdtar; both detect the compression when
 * reading). The archive is listed first and refused if any entry could land outside the target.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { escapeError, FetchError } from './fetch-error.js';

const LIST_MAX_BUFFER = 256 * 1024 * 1024;

function run(args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'tar',
      args,
      { maxBuffer: LIST_MAX_BUFFER, encoding: 'utf8', signal, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stderr: String(stderr).trim() }));
        else resolve(String(stdout));
      },
    );
  });
}

let gnu: Promise<boolean> | undefined;

function isGnuTar(): Promise<boolean> {
  gnu ??= run(['--version']).then(
    (out) => out.includes('GNU tar'),
    () => false,
  );
  return gnu;
}

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/** Whether a relative archive path, once normalized, stays below the extraction root. */
export function staysInside(entry: string): boolean {
  const name = entry.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return false;
  if (name.split('/').includes('..')) return false;
  const normalized = path.posix.normalize(name);
  return normalized !== '..' && !normalized.startsWith('../');
}

/** Whether a symlink at `entry` pointing at `target` resolves below the extraction root. */
export function linkStaysInside(entry: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(entry), target));
  return resolved !== '..' && !resolved.startsWith('../') && !resolved.startsWith('/');
}

/**
 * Checks every entry of the archive: no absolute path, no `..` segment, no device node, and no
 * symlink or hardlink whose target is outside. `name` is for messages.
 */
export async function checkTarEntries(uri: string, file: string, name: string, signal?: AbortSignal): Promise<void> {
  let names: string[];
  let long: string[];
  try {
    // GNU tar "helpfully" strips leading "/" and "../" from link targets when listing; -P shows them.
    const raw = (await isGnuTar()) ? ['-P'] : [];
    names = lines(await run([...raw, '-tf', file], signal));
    long = lines(await run([...raw, '-tvf', file], signal));
  } catch (err) {
    throw new FetchError(`Cannot extract ${name}: ${tarReason(err)}`, uri, { cause: err });
  }
  if (names.length !== long.length) {
    throw new FetchError(`Cannot extract ${name}: the archive listing could not be read reliably`, uri);
  }
  names.forEach((entry, i) => {
    const detail = long[i];
    if (!staysInside(entry)) throw escapeError(uri, name, entry);
    const type = detail[0];
    if (type === 'c' || type === 'b') throw escapeError(uri, name, entry);
    if (type === 'l') {
      const target = afterName(detail, entry, ' -> ');
      if (target === null || !linkStaysInside(entry, target)) throw escapeError(uri, name, entry);
    }
    if (type === 'h') {
      // Hardlink targets are archive paths (GNU and bsdtar both print "name link to target").
      const target = afterName(detail, entry, ' link to ');
      if (target === null || !staysInside(target)) throw escapeError(uri, name, entry);
    }
  });
}

/** The text after `<entry><sep>` in a long listing line, or null if it is not there. */
function afterName(detail: string, entry: string, sep: string): string | null {
  const marker = ` ${entry}${sep}`;
  const at = detail.indexOf(marker);
  return at < 0 ? null : detail.slice(at + marker.length);
}

/** Extracts into `dir` (after checkTarEntries). Owners from the archive are not applied. */
export async function extractTar(uri: string, file: string, name: string, dir: string, signal?: AbortSignal): Promise<void> {
  try {
    await run(['-xf', file, '-C', dir, '--no-same-owner'], signal);
  } catch (err) {
    throw new FetchError(`Failed to extract ${name}: ${tarReason(err)}`, uri, { cause: err });
  }
}

function tarReason(err: unknown): string {
  const stderr = (err as { stderr?: string }).stderr;
  if (stderr) return stderr.split('\n').slice(0, 3).join('; ');
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'tar is not installed';
  return (err as Error).message;
}
