/** The uid this process runs as, or null where there are no uids (Windows). */
export function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}
