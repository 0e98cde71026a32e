/** Atomic JSON cache files: a reader that treats anything unreadable as a miss. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';

export function readCache<T>(file: string, format: number): T | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as { format?: number };
    return value.format === format ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

export function writeCache(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value));
}

/** The cache directory of one repository, keyed by its resolved location. */
export function repoCacheDir(cacheRoot: string, location: string): string {
  const key = createHash('sha256').update(location).digest('hex').slice(0, 16);
  return join(cacheRoot, 'repos', key);
}
