import { describe, expect, it } from 'vitest';
import type { PackageDefinition } from '../../../src/universe/model.js';
import { listVersions, orderCandidates, selectRevision, type Candidate } from '../../../src/universe/versions.js';

const c = (repoIndex: number, releaseVersion: number, version: string): Candidate => ({
  repoIndex,
  definition: { name: 'p', version, releaseVersion } as PackageDefinition,
});

describe('revision selection', () => {
  const ordered = orderCandidates([c(1, 9, '9.0.0'), c(0, 0, '1.0.0'), c(0, 4, '0.1.0'), c(0, 3, '0.9.4.0'), c(0, 2, '1.2.0'), c(0, 1, '1.2.0')]);

  it('orders by repository priority, then newest revision', () => {
    expect(ordered.map((x) => `${x.repoIndex}:${x.definition.releaseVersion}`)).toEqual(['0:4', '0:3', '0:2', '0:1', '0:0', '1:9']);
  });

  it('takes the highest revision of the highest-priority repository as latest, even when its version is lower', () => {
    expect(selectRevision(ordered)?.definition.version).toBe('0.1.0');
    expect(selectRevision(ordered, 'latest')?.definition.releaseVersion).toBe(4);
  });

  it('matches version strings exactly, choosing the newest revision carrying it', () => {
    expect(selectRevision(ordered, '1.2.0')?.definition.releaseVersion).toBe(2);
    expect(selectRevision(ordered, '0.9.4.0')?.definition.releaseVersion).toBe(3);
    expect(selectRevision(ordered, '9.0.0')?.repoIndex).toBe(1);
    expect(selectRevision(ordered, '1.3')).toBeUndefined();
    // A partial version is a range: 1.2 means 1.2.x.
    expect(selectRevision(ordered, '1.2')?.definition.version).toBe('1.2.0');
  });

  it('honours semver ranges among semver versions of the first repository with a match', () => {
    expect(selectRevision(ordered, '^1.0.0')?.definition.version).toBe('1.2.0');
    expect(selectRevision(ordered, '1.x')?.definition.releaseVersion).toBe(2);
    expect(selectRevision(ordered, '<1')?.definition.version).toBe('0.1.0');
    expect(selectRevision(ordered, '>=9')?.definition.version).toBe('9.0.0');
    expect(selectRevision(ordered, '^5')).toBeUndefined();
    expect(selectRevision(ordered, 'not a range')).toBeUndefined();
  });

  it('lists each version once with its highest revision, newest first', () => {
    expect(listVersions(ordered)).toEqual([
      { version: '9.0.0', releaseVersion: 9 },
      { version: '0.1.0', releaseVersion: 4 },
      { version: '0.9.4.0', releaseVersion: 3 },
      { version: '1.2.0', releaseVersion: 2 },
      { version: '1.0.0', releaseVersion: 0 },
    ]);
  });
});
