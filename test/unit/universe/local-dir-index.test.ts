/** The cached search index notices added, removed and edited packages without a full rescan. */
import { cpSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_REPO, tempHome, type TempHome } from '../../helpers/index.js';
import { LocalDirSource } from '../../../src/universe/sources/local-dir.js';

describe('local directory repository index', () => {
  let home: TempHome;
  let repo: string;
  const source = () => new LocalDirSource({ name: 't', uri: repo }, repo, join(home.dir, 'cache'));
  beforeEach(() => {
    home = tempHome();
    repo = join(home.dir, 'repo');
    cpSync(FIXTURE_REPO, repo, { recursive: true });
  });
  afterEach(() => home.cleanup());

  it('indexes valid packages and lists broken revisions', async () => {
    const index = await source().index();
    expect(Object.keys(index.packages).sort()).toEqual(['alpha', 'beta', 'cli-only', 'gamma']);
    expect(index.packages.alpha.revisions.map((r) => r.releaseVersion)).toEqual([2, 1, 0]);
    expect(index.broken.map((b) => `${b.name}@${b.releaseVersion}`).sort()).toEqual(['beta@1', 'gamma@7']);
  });

  it('sees a new revision, an edited latest package.json and a removed package', async () => {
    await source().index();
    const rev = join(repo, 'packages', 'A', 'alpha', '3');
    mkdirSync(rev);
    writeFileSync(join(rev, 'package.json'), JSON.stringify({ packagingVersion: '4.0', name: 'alpha', version: '3.0.0', maintainer: 'm', description: 'Alpha three', tags: ['x'] }));
    let index = await source().index();
    expect(index.packages.alpha.currentVersion).toBe('3.0.0');

    writeFileSync(join(rev, 'package.json'), JSON.stringify({ packagingVersion: '4.0', name: 'alpha', version: '3.0.1', maintainer: 'm', description: 'Alpha three, edited in place', tags: ['x'] }));
    const later = new Date(Date.now() + 5000);
    utimesSync(join(rev, 'package.json'), later, later);
    index = await source().index();
    expect(index.packages.alpha.description).toBe('Alpha three, edited in place');

    rmSync(join(repo, 'packages', 'C'), { recursive: true });
    index = await source().index();
    expect(index.packages['cli-only']).toBeUndefined();
  });

  it('reads only changed packages again (the cache is reused for the rest)', async () => {
    await source().index();
    // Corrupt an older revision, which a search does not check: the cached entry must be used.
    writeFileSync(join(repo, 'packages', 'A', 'alpha', '0', 'marathon.json.mustache'), '{{#broken}');
    const index = await source().index();
    expect(index.packages.alpha.revisions.map((r) => r.releaseVersion)).toEqual([2, 1, 0]);
    // ...while a direct read of the package sees the truth.
    const { broken } = await source().revisions('alpha');
    expect(broken.map((b) => b.releaseVersion)).toEqual([0]);
  });

  // Edits in place keep the directories' mtimes: only the files' own stats change.
  const latest = (file: string) => join(repo, 'packages', 'A', 'alpha', '2', file);
  const expectLatestSkipped = async (file: string) => {
    const index = await source().index();
    expect(index.packages.alpha.currentVersion).toBe('1.2.0');
    expect(index.packages.alpha.revisions.map((r) => r.releaseVersion)).toEqual([1, 0]);
    expect(index.broken.find((b) => b.name === 'alpha')).toMatchObject({ releaseVersion: 2, file: `packages/A/alpha/2/${file}` });
  };

  it("sees the latest revision's config.json become invalid JSON in place", async () => {
    expect((await source().index()).packages.alpha.currentVersion).toBe('2.0.0');
    writeFileSync(latest('config.json'), '{"type": "object", "properties": ');
    await expectLatestSkipped('config.json');
  });

  it("sees the latest revision's config.json become an invalid schema in place", async () => {
    await source().index();
    writeFileSync(latest('config.json'), JSON.stringify({ type: 'object', properties: { a: { type: 'strin' } } }));
    await expectLatestSkipped('config.json');
  });

  it("sees the latest revision's template or resource.json break, and a new file appear in it", async () => {
    await source().index();
    writeFileSync(latest('marathon.json.mustache'), '{"id": "{{#x}}"}');
    await expectLatestSkipped('marathon.json.mustache');
    writeFileSync(latest('marathon.json.mustache'), '{"id": "{{service.name}}"}');
    expect((await source().index()).packages.alpha.currentVersion).toBe('2.0.0');
    writeFileSync(latest('resource.json'), '{"assets": {"uris": {"a": 1}}}');
    await expectLatestSkipped('resource.json');
    rmSync(latest('resource.json'));
    expect((await source().index()).packages.alpha.currentVersion).toBe('2.0.0');
    writeFileSync(latest('command.json'), '{"pip": []}');
    await expectLatestSkipped('command.json');
  });

  it('sees a new file appear in the latest revision even when the directory keeps its mtime (one clock tick)', async () => {
    // A whole-second mtime can be put back exactly: as if the file appeared within the same tick.
    const dir = dirname(latest('package.json'));
    utimesSync(dir, 1_700_000_000, 1_700_000_000);
    await source().index();
    writeFileSync(latest('command.json'), '{"pip": []}');
    utimesSync(dir, 1_700_000_000, 1_700_000_000);
    await expectLatestSkipped('command.json');
  });

  it('agrees with a fresh read once one was made: an older revision broken in place drops out of the index', async () => {
    await source().index();
    writeFileSync(join(repo, 'packages', 'A', 'alpha', '1', 'config.json'), '{');
    const src = source();
    await src.index();
    const { definitions } = await src.revisions('alpha');
    expect(definitions.map((d) => d.releaseVersion)).toEqual([2, 0]);
    const index = await source().index();
    expect(index.packages.alpha.revisions.map((r) => r.releaseVersion)).toEqual([2, 0]);
    expect(index.broken.find((b) => b.name === 'alpha')).toMatchObject({ releaseVersion: 1, file: 'packages/A/alpha/1/config.json' });
  });
});

describe('local directory repository index: broken revisions', () => {
  it('notices when a broken revision is fixed in place', async () => {
    const home = tempHome();
    try {
      const repo = join(home.dir, 'repo');
      cpSync(FIXTURE_REPO, repo, { recursive: true });
      const src = () => new LocalDirSource({ name: 't', uri: repo }, repo, join(home.dir, 'cache'));
      const dir = join(repo, 'packages', 'B', 'beta', '1');
      expect((await src().index()).broken.some((b) => b.name === 'beta' && b.releaseVersion === 1)).toBe(true);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ packagingVersion: '3.0', name: 'beta', version: '1.0', maintainer: 'm', description: 'Beta fixed', tags: ['store'] }));
      const later = new Date(Date.now() + 5000);
      utimesSync(join(dir, 'package.json'), later, later);
      const index = await src().index();
      expect(index.broken.some((b) => b.name === 'beta')).toBe(false);
      expect(index.packages.beta.currentVersion).toBe('1.0');
    } finally {
      home.cleanup();
    }
  });

  it('notices package.json appearing in a revision that had none', async () => {
    const home = tempHome();
    try {
      const repo = join(home.dir, 'repo');
      mkdirSync(join(repo, 'packages', 'N', 'new', '0'), { recursive: true });
      const src = () => new LocalDirSource({ name: 't', uri: repo }, repo, join(home.dir, 'cache'));
      expect((await src().index()).broken).toHaveLength(1);
      writeFileSync(join(repo, 'packages', 'N', 'new', '0', 'package.json'), JSON.stringify({ packagingVersion: '4.0', name: 'new', version: '1.0.0', maintainer: 'm', description: 'New', tags: [] }));
      const later = new Date(Date.now() + 5000);
      utimesSync(join(repo, 'packages', 'N', 'new', '0'), later, later);
      const index = await src().index();
      expect(index.broken).toEqual([]);
      expect(index.packages.new.currentVersion).toBe('1.0.0');
    } finally {
      home.cleanup();
    }
  });
});
