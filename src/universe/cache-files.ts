/** Atomic JSON cache files: a reader that treats anything unreadable as a miss. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function readCache<T>(file: string, format: number): T | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as { format?: number };
    return value.format === format ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

export function writeCache(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

/** The cache directory of one repository, keyed by its resolved location. */
export function repoCacheDir(cacheRoot: string, location: string): string {
  const key = createHash('sha256').update(location).digest('hex').slice(0, 16);
  return join(cacheRoot, 'repos', key);
}
