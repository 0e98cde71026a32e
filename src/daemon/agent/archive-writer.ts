/**
 * Writing the entries of an untrusted archive into a sandbox, format-neutral (tar and zip readers
 * feed it). The rules, which hold against every entry whatever came before it (in this archive or
 * an earlier one of the same fetch):
 * - an entry's name is relative and has no `..` segment (checked on the text first, before
 *   anything is written, and again on disk);
 * - nothing is written through a symbolic link: every directory on the way to an entry must be a
 *   real directory below the extraction root, created here if missing; an existing link in the
 *   entry's own place is replaced, never followed (files are opened O_NOFOLLOW|O_EXCL);
 * - a symbolic link is made only if its target, resolved on disk the way the kernel would (through
 *   the links already there), stays below the root; and after each archive every link this fetch
 *   made is resolved again, since a later link can change where an earlier one leads;
 * - a hard link must name a regular file reached through real directories only;
 * - devices are refused; FIFOs and other special entries are skipped.
 */
import { constants } from 'node:fs';
import { chmod, lstat, link, mkdir, open, readlink, realpath, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { escapeError, FetchError } from './fetch-error.js';
import { isWithin } from './sandbox.js';

/** What all extractions of one fetch share. */
export interface ExtractionScope {
  /** Real path of the sandbox. */
  sandbox: string;
  /** Every symbolic link the fetch made (absolute paths), to re-check after each archive. */
  links: Set<string>;
}

/** Where an archive's text is checked and its entries written. */
export interface ArchiveTarget {
  uri: string;
  /** The archive's file name, for messages. */
  name: string;
  /** Real path of the directory the archive unpacks into (inside the sandbox). */
  root: string;
  scope: ExtractionScope;
}

const MAX_LINK_HOPS = 40;

/**
 * What a reader's failure to extract `t` is reported as: a FetchError (and anything after an
 * abort) as it is; anything else as a failure to check the archive (`Cannot extract`, before
 * anything was written) or to write it (`Failed to extract`), in the reader's words (`reason`).
 */
export function extractionError(err: unknown, t: ArchiveTarget, writing: boolean, signal: AbortSignal, reason: (err: unknown) => string): unknown {
  if (err instanceof FetchError || signal.aborted) return err;
  return new FetchError(`${writing ? 'Failed to extract' : 'Cannot extract'} ${t.name}: ${reason(err)}`, t.uri, { cause: err });
}

/**
 * The segments of an entry name that stays inside the root ("./a//b/" gives ["a", "b"]), or null
 * if it does not: absolute, a drive letter, or any `..` (backslashes count as separators here:
 * zips made on Windows use them).
 */
export function entrySegments(entry: string): string[] | null {
  const name = entry.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\0')) return null;
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  return parts.includes('..') ? null : parts;
}

/** Whether a relative archive path, once normalized, stays below the extraction root. */
export function staysInside(entry: string): boolean {
  return entrySegments(entry) !== null;
}

/** Text check of a symlink at `entry` pointing at `target`: relative, and below the root. */
export function linkStaysInside(entry: string, target: string): boolean {
  if (target.startsWith('/') || target.includes('\0') || target === '') return false;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(entry.replace(/\\/g, '/')), target));
  return resolved !== '..' && !resolved.startsWith('../') && !resolved.startsWith('/');
}

export class EntryWriter {
  constructor(private readonly t: ArchiveTarget) {}

  private refuse(entry: string): FetchError {
    return escapeError(this.t.uri, this.t.name, entry);
  }

  private segments(entry: string): string[] {
    const parts = entrySegments(entry);
    if (parts === null) throw this.refuse(entry);
    return parts;
  }

  /**
   * The real directory `parts` names below the root, made (0755) where missing. Every existing
   * step must be a real directory: a link on the way is refused, not followed.
   */
  private async directoryOf(entry: string, parts: string[]): Promise<string> {
    let dir = this.t.root;
    for (const part of parts) {
      const next = path.join(dir, part);
      const st = await lstatOrNull(next);
      if (st === null) {
        await mkdir(next, { mode: 0o755 });
      } else if (st.isSymbolicLink()) {
        throw new FetchError(
          `Refusing to extract ${this.t.name}: entry "${entry}" would escape the sandbox (it leads through the symbolic link "${path.relative(this.t.root, next)}")`,
          this.t.uri,
        );
      } else if (!st.isDirectory()) {
        throw new FetchError(`Cannot extract ${this.t.name}: "${path.relative(this.t.root, next)}" (on the way to "${entry}") is not a directory`, this.t.uri);
      }
      dir = next;
    }
    return dir;
  }

  /** Clears the place of a new file or link: an old file or link goes; a directory stays and is refused. */
  private async clearPlace(entry: string, dest: string): Promise<void> {
    const st = await lstatOrNull(dest);
    if (st === null) return;
    if (st.isDirectory()) {
      throw new FetchError(`Cannot extract ${this.t.name}: entry "${entry}" would replace the directory "${path.relative(this.t.root, dest)}"`, this.t.uri);
    }
    await unlink(dest);
    this.t.scope.links.delete(dest);
  }

  async directory(entry: string, mode: number | undefined): Promise<void> {
    const parts = this.segments(entry);
    if (parts.length === 0) return;
    const dir = await this.directoryOf(entry, parts);
    // The owner keeps rwx, or later entries (and the task) could not write into it.
    await chmod(dir, ((mode ?? 0o755) & 0o777) | 0o700);
  }

  async file(entry: string, mode: number | undefined, mtime: Date | undefined, data: AsyncIterable<Uint8Array>): Promise<void> {
    const parts = this.segments(entry);
    if (parts.length === 0) throw this.refuse(entry);
    const dest = path.join(await this.directoryOf(entry, parts.slice(0, -1)), parts[parts.length - 1]);
    await this.clearPlace(entry, dest);
    // No setuid/setgid/sticky bits from an archive: the daemon may be root.
    const perms = mode !== undefined && (mode & 0o777) !== 0 ? mode & 0o777 : 0o644;
    const handle = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of data) await handle.write(chunk);
      await handle.chmod(perms); // exact, whatever the umask
      if (mtime && !Number.isNaN(mtime.getTime())) await handle.utimes(mtime, mtime);
    } finally {
      await handle.close();
    }
  }

  async symlink(entry: string, target: string): Promise<void> {
    const parts = this.segments(entry);
    if (parts.length === 0 || !linkStaysInside(entry, target)) throw this.refuse(entry);
    const dir = await this.directoryOf(entry, parts.slice(0, -1));
    const dest = path.join(dir, parts[parts.length - 1]);
    await this.clearPlace(entry, dest);
    if ((await resolveOnDisk(this.t.root, dir, target)) === null) throw this.refuse(entry);
    await symlink(target, dest);
    this.t.scope.links.add(dest);
  }

  async hardlink(entry: string, target: string): Promise<void> {
    const parts = this.segments(entry);
    const targetParts = entrySegments(target);
    if (parts.length === 0 || targetParts === null || targetParts.length === 0) throw this.refuse(entry);
    let from = this.t.root;
    for (const part of targetParts.slice(0, -1)) {
      from = path.join(from, part);
      if (!(await lstatOrNull(from))?.isDirectory()) throw this.refuse(entry);
    }
    from = path.join(from, targetParts[targetParts.length - 1]);
    // Not a link to a symlink: a relative one would point elsewhere from its new place.
    if (!(await lstatOrNull(from))?.isFile()) throw this.refuse(entry);
    const dest = path.join(await this.directoryOf(entry, parts.slice(0, -1)), parts[parts.length - 1]);
    if (dest === from) return;
    await this.clearPlace(entry, dest);
    await link(from, dest);
  }
}

/**
 * Where `target` (a symlink's text, placed in the real directory `dir`) leads, resolved step by
 * step as the kernel does: through the links on disk, `..` from where a link really led. Once a
 * step does not exist the rest is taken as text. Null if it leaves `root` at any step (or is
 * absolute, or loops).
 */
export async function resolveOnDisk(root: string, dir: string, target: string): Promise<string | null> {
  if (path.isAbsolute(target) || !isWithin(root, dir)) return null;
  let current = dir;
  let missing = false;
  let hops = 0;
  const pending = target.split('/');
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (current === root) return null;
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    if (missing) {
      current = next;
      continue;
    }
    const st = await lstatOrNull(next);
    if (st === null || !(st.isDirectory() || st.isSymbolicLink())) {
      // Missing, or a file (which the rest, if any, cannot go through): text from here on.
      missing = true;
      current = next;
    } else if (st.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) return null;
      const text = await readlink(next);
      if (path.isAbsolute(text)) return null;
      pending.unshift(...text.split('/'));
    } else {
      current = next;
    }
  }
  return isWithin(root, current) ? current : null;
}

/**
 * After an archive: every link the fetch made must still lead inside the sandbox (a later link can
 * redirect an earlier one). Links that do not are removed; the archive is refused.
 */
export async function verifyLinks(t: ArchiveTarget): Promise<void> {
  const { sandbox, links } = t.scope;
  let offender: string | undefined;
  for (const file of [...links]) {
    const st = await lstatOrNull(file);
    if (!st?.isSymbolicLink()) {
      links.delete(file);
      continue;
    }
    const dir = await realpath(path.dirname(file)).catch(() => null);
    const target = await readlink(file);
    if (dir === null || (await resolveOnDisk(sandbox, dir, target)) === null) {
      await unlink(file);
      links.delete(file);
      offender ??= path.relative(sandbox, file);
    }
  }
  if (offender !== undefined) {
    throw new FetchError(`Refusing to extract ${t.name}: the symbolic link "${offender}" would escape the sandbox`, t.uri, { permanent: true });
  }
}

async function lstatOrNull(file: string): Promise<import('node:fs').Stats | null> {
  try {
    return await lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}
