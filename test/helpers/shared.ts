/** Locating the read-only reference folder `../shared` next to the repository. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(REPO_ROOT, '..', 'shared');

/** Path inside ../shared, and whether it exists (tests skip, saying so, when it does not). */
export function sharedPath(...parts: string[]): { path: string; exists: boolean; skipNote: string } {
  const path = join(SHARED, ...parts);
  const exists = existsSync(path);
  return { path, exists, skipNote: exists ? '' : ` (skipped: ../shared/${parts.join('/')} not found)` };
}
