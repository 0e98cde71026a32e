/**
 * The cluster's token file, as the daemon and the CLI both read it: the token, or why there is
 * none to use. The daemon writes a new token for any such problem; the CLI says which one it is.
 */
import { readFileSync, statSync } from 'node:fs';

/** Why the token file gives no token: what the error says, and what decides the way out. */
export interface TokenProblem {
  /** `<file> is missing`, `<file> is empty`, `<file> cannot be read (EACCES)` */
  message: string;
  kind: 'missing' | 'empty' | 'unreadable';
  /** For an unreadable one: its errno code, and whose the file is (when that can be seen). */
  code?: string;
  ownerUid?: number;
}

/** The token in `file` (trimmed), or what is wrong with the file: exactly one of the two is set. */
export function readTokenFile(file: string): { token: string; problem?: undefined } | { token?: undefined; problem: TokenProblem } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    if (code === 'ENOENT') return { problem: { message: `${file} is missing`, kind: 'missing' } };
    let ownerUid: number | undefined;
    try {
      ownerUid = statSync(file).uid;
    } catch {
      // the data dir itself is closed to us
    }
    return { problem: { message: `${file} cannot be read (${code})`, kind: 'unreadable', code, ownerUid } };
  }
  const token = text.trim();
  return token === '' ? { problem: { message: `${file} is empty`, kind: 'empty' } } : { token };
}
