/**
 * Tar archives: read with node-tar's parser (not the `tar` on the PATH, whose flavour, listing
 * format and link handling vary), written by EntryWriter. gzip is read natively; xz and bzip2
 * through the `xz` and `bzip2` programs, as GNU tar itself does. The archive is read twice: first
 * its text is checked, so an archive with an obviously escaping entry leaves nothing behind; then
 * it is written, every entry checked again against the disk.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Parser } from 'tar/parse';
import type { ReadEntry } from 'tar/read-entry';
import { EntryWriter, extractionError, linkStaysInside, staysInside, type ArchiveTarget } from './archive-writer.js';
import { escapeError } from './fetch-error.js';

type Decompressor = 'xz' | 'bzip2' | null;

const STDERR_KEEP = 4096;

/** xz and bzip2 by their magic bytes; gzip (and plain tar) the parser recognises itself. */
async function decompressorOf(file: string): Promise<Decompressor> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(6);
    const { bytesRead } = await handle.read(head, 0, 6, 0);
    const magic = head.subarray(0, bytesRead);
    if (magic.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
    if (magic.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
    return null;
  } finally {
    await handle.close();
  }
}

/** The tar bytes of `file`, and a promise of how reading them ended. */
function tarStream(file: string, decompressor: Decompressor, signal: AbortSignal): { stream: Readable; ended: Promise<void> } {
  if (decompressor === null) {
    // Reads of 1 MiB: with the default 64 KiB the parser's per-chunk work, not gunzip, costs
    // the most (a 170 MB release tarball parses in half the time).
    const stream = createReadStream(file, { signal, highWaterMark: 1024 * 1024 });
    return { stream, ended: new Promise((resolve, reject) => stream.once('close', resolve).once('error', reject)) };
  }
  const child = spawn(decompressor, ['-dc', '--', file], { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < STDERR_KEEP) stderr += chunk;
  });
  const ended = new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(`${decompressor} is not installed (it unpacks .${decompressor === 'xz' ? 'xz' : 'bz2'} archives)`) : err),
    );
    child.once('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(stderr.trim().split('\n').slice(0, 3).join('; ') || `${decompressor} failed (${sig ?? `exit ${code}`})`));
    });
  });
  return { stream: child.stdout, ended };
}

/**
 * Calls `visit` for each entry, in order, one at a time: the parser hands out the next entry only
 * once the body of this one has been read (whatever `visit` leaves unread is skipped).
 */
async function eachEntry(file: string, decompressor: Decompressor, signal: AbortSignal, visit: (entry: ReadEntry) => Promise<void> | void): Promise<void> {
  const { stream, ended } = tarStream(file, decompressor, signal);
  // No decompression-ratio limit: it refuses honest archives of very compressible files (disk
  // images, preallocated data), which tar takes, and guards nothing here: a task can fill its
  // disk by itself.
  const parser = new Parser({ strict: true, maxDecompressionRatio: Infinity });
  const queue: ReadEntry[] = [];
  let done = false;
  let failure: unknown;
  // Whoever waits (for an entry, or for the parser to drain) is woken by any news.
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const news = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  const fail = (err: unknown): void => {
    failure ??= err;
    poke();
  };
  parser.on('entry', (entry: ReadEntry) => {
    queue.push(entry);
    poke();
  });
  parser.on('error', fail);
  parser.on('end', () => {
    done = true;
    poke();
  });
  let drained: (() => void) | undefined;
  parser.on('drain', () => drained?.());
  const feeding = (async () => {
    for await (const chunk of stream) {
      if (failure !== undefined) return;
      if (!parser.write(chunk as Buffer)) {
        await new Promise<void>((resolve) => (drained = resolve));
        drained = undefined;
      }
    }
    parser.end();
  })().catch(fail);
  try {
    for (;;) {
      while (queue.length === 0 && !done && failure === undefined) await news();
      if (failure !== undefined) throw failure;
      const entry = queue.shift();
      if (!entry) break;
      signal.throwIfAborted();
      await visit(entry);
      entry.resume();
    }
    await feeding;
    await ended;
    if (failure !== undefined) throw failure;
  } finally {
    stream.destroy();
    drained?.();
    ended.catch(() => {});
  }
}

/** The text checks, before anything is written: names, link targets, no devices. */
function checkEntry(uri: string, name: string, entry: ReadEntry): void {
  if (!staysInside(entry.path)) throw escapeError(uri, name, entry.path);
  switch (entry.type) {
    case 'CharacterDevice':
    case 'BlockDevice':
      throw escapeError(uri, name, entry.path);
    case 'SymbolicLink':
      if (!linkStaysInside(entry.path, entry.linkpath ?? '')) throw escapeError(uri, name, entry.path);
      break;
    case 'Link':
      if (!staysInside(entry.linkpath ?? '')) throw escapeError(uri, name, entry.path);
      break;
    default:
  }
}

/** Extracts the tar at `file` into `target.root`; refuses it (FetchError) if any entry would escape. */
export async function extractTar(file: string, target: ArchiveTarget, signal: AbortSignal, opts: { prechecked?: boolean } = {}): Promise<void> {
  const { uri, name } = target;
  const decompressor = await decompressorOf(file);
  const writer = new EntryWriter(target);
  let writing = false;
  try {
    // An archive whose text passed this check before (the same bytes) needs only the write pass.
    if (!opts.prechecked) await eachEntry(file, decompressor, signal, (entry) => checkEntry(uri, name, entry));
    writing = true;
    await eachEntry(file, decompressor, signal, async (entry) => {
      switch (entry.type) {
        case 'File':
        case 'OldFile':
        case 'ContiguousFile':
          return writer.file(entry.path, entry.mode, entry.mtime, entry);
        case 'Directory':
        case 'GNUDumpDir':
          return writer.directory(entry.path, entry.mode);
        case 'SymbolicLink':
          return writer.symlink(entry.path, entry.linkpath ?? '');
        case 'Link':
          return writer.hardlink(entry.path, entry.linkpath ?? '');
        default:
        // FIFOs and unknown types are skipped (devices were refused by the check).
      }
    });
  } catch (err) {
    throw extractionError(err, target, writing, signal, reason);
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { tarCode?: string };
  if (e.code === 'ENOSPC') return 'no space left on the device';
  return (e.message ?? String(err)).replace(/^TAR_[A-Z_]+: /, '');
}
