/** Device and inode of a directory: what a copy of it does not share (the daemon and the CLI both tell copies apart by it). */
import { statSync } from 'node:fs';

export function dirKey(dir: string): string {
  const st = statSync(dir);
  return `${st.dev}:${st.ino}`;
}
