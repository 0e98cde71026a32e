/**
 * Zip archives: read with yauzl (streaming, ZIP64, sizes checked; the central directory is the
 * truth, as the spec says), written by EntryWriter. yauzl does not check CRC-32s: done here.
 * Every entry's text is checked before anything is written.
 */
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { EntryWriter, extractionError, linkStaysInside, staysInside, type ArchiveTarget } from './archive-writer.js';
import { escapeError } from './fetch-error.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;
const UTF8_FLAG = 0x800;
const INFO_ZIP_UNICODE_PATH = 0x7075;
const MAX_LINK_TARGET = 4096;

interface ZipItem {
  entry: Entry;
  /** As written in the archive (backslashes kept), for messages and checks. */
  name: string;
  /** Unix mode when the archive was made on unix. */
  mode: number | null;
  kind: 'file' | 'directory' | 'symlink';
  /** Symlinks only. */
  target?: string;
}

/** UTF-8 when flagged or valid (Info-ZIP writes UTF-8 without the flag), else yauzl's CP437. */
function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw;
  const decoded = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
  if (entry.generalPurposeBitFlag & UTF8_FLAG || entry.extraFields.some((f) => f.id === INFO_ZIP_UNICODE_PATH)) return decoded;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return decoded;
  }
}

function describe(entry: Entry): Omit<ZipItem, 'target'> {
  const name = entryName(entry);
  const mode = entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : null;
  const type = mode === null ? 0 : mode & S_IFMT;
  const kind = type === S_IFLNK ? 'symlink' : name.endsWith('/') || type === S_IFDIR || (entry.externalFileAttributes & 0x10) !== 0 ? 'directory' : 'file';
  return { entry, name, mode, kind };
}

/** The bytes of an entry, CRC-checked at the end. */
async function openEntry(zip: ZipFile, entry: Entry, name: string): Promise<AsyncIterable<Uint8Array>> {
  if (entry.isEncrypted()) throw new Error(`entry ${name} is encrypted`);
  const stream = await zip.openReadStreamPromise(entry);
  return (async function* checked() {
    let crc = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      yield chunk;
    }
    if (crc >>> 0 !== entry.crc32 >>> 0) throw new Error(`corrupt data in entry ${name} (CRC mismatch)`);
  })();
}

async function readAll(data: AsyncIterable<Uint8Array>, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of data) {
    size += chunk.length;
    if (size > limit) throw new Error(`entry ${name} is too large for a symbolic link`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Extracts the zip at `file` into `target.root`; refuses it (FetchError) if any entry would escape. */
export async function extractZip(file: string, target: ArchiveTarget, signal: AbortSignal): Promise<void> {
  const { uri, name } = target;
  let zip: ZipFile | undefined;
  let writing = false;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
    // The central directory first, whole: check every name and link before writing anything.
    const items: ZipItem[] = [];
    for await (const entry of zip.eachEntry()) {
      const item: ZipItem = describe(entry);
      if (!staysInside(item.name)) throw escapeError(uri, name, item.name);
      if (item.kind === 'symlink') {
        item.target = (await readAll(await openEntry(zip, entry, item.name), MAX_LINK_TARGET, item.name)).toString('utf8');
        if (!linkStaysInside(item.name.replace(/\/+$/, ''), item.target)) throw escapeError(uri, name, item.name);
      }
      items.push(item);
    }
    writing = true;
    const writer = new EntryWriter(target);
    for (const item of items) {
      signal.throwIfAborted();
      const entryName = item.name.replace(/\\/g, '/');
      if (item.kind === 'directory') await writer.directory(entryName, item.mode ?? undefined);
      else if (item.kind === 'symlink') await writer.symlink(entryName.replace(/\/+$/, ''), item.target as string);
      else await writer.file(entryName, item.mode ?? undefined, item.entry.getLastModDate(), await openEntry(zip, item.entry, item.name));
    }
  } catch (err) {
    throw extractionError(err, target, writing, signal, (e) => (e as Error).message);
  } finally {
    zip?.close();
  }
}
