/** Persistent volumes as the listings show them. */
import type { VolumeRow } from '../scheduler/types.js';

export type { VolumeRow };

/** One line for a table cell: how many volumes, their size, and what they use. */
export function volumesSummary(rows: readonly VolumeRow[] | undefined): string {
  if (!rows || rows.length === 0) return '---';
  const size = rows.reduce((sum, r) => sum + r.sizeMb, 0);
  const measured = rows.every((r) => r.usedBytes !== null);
  const used = rows.reduce((sum, r) => sum + (r.usedBytes ?? 0), 0);
  const suspended = rows.filter((r) => r.state === 'suspended').length;
  return `${rows.length} volume${rows.length === 1 ? '' : 's'}, ${size} MB${measured ? `, ${humanBytes(used)} used` : ''}${suspended > 0 ? `, ${suspended} suspended` : ''}`;
}

export function humanBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
