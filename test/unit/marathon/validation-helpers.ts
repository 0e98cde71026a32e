import type { ValidationDetail } from '../../../src/marathon/app-types.js';

/** Smallest app Marathon accepts; tests spread the field under test over it. */
export const validApp = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: '/app',
  cmd: 'sleep 100',
  ...extra,
});

/** All messages reported for one path ("" joined, so `toContain` reads naturally). */
export function errorsAt(details: ValidationDetail[], path: string): string {
  return details
    .filter((detail) => detail.path === path)
    .flatMap((detail) => detail.errors)
    .join('\n');
}

export const pathsOf = (details: ValidationDetail[]): string[] => details.map((detail) => detail.path);
