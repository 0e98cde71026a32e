import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredApp } from '../../../src/daemon/model/app-changes.js';
import { Reservations, volumeDisk } from '../../../src/daemon/model/reservations.js';
import { ResourcePool } from '../../../src/daemon/model/resources.js';
import { Store } from '../../../src/daemon/store/store.js';
import type { Task } from '../../../src/daemon/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'dcos-reservations-'));
  dirs.push(dataDir);
  const store = new Store(join(dataDir, 'state.db'));
  const pool = new ResourcePool({ cpus: 4, mem: 4096, disk: 1000, gpus: 0 });
  const logs: string[] = [];
  const book = new Reservations(store, pool, dataDir, (m) => logs.push(m));
  return { dataDir, store, pool, logs, book };
}

const app = (id: string, sizes: number[]): StoredApp =>
  ({ id, container: { type: 'MESOS', volumes: sizes.map((size, i) => ({ containerPath: `v${i}`, mode: 'RW', persistent: { size } })) } }) as unknown as StoredApp;

const task = (id: string, reservationId: string, state: Task['state'] = 'TASK_RUNNING') => ({ id, reservationId, state }) as Task;

describe('Reservations', () => {
  it('makes one directory per volume, counts their size against the disk, and hands out the lowest free instance', () => {
    const { book, pool, dataDir } = setup();
    const web = app('/group/web', [100, 50]);
    expect(volumeDisk(web)).toBe(150);
    const a = book.create(web, '2026-01-01T00:00:00.000Z');
    const b = book.create(web, '2026-01-01T00:00:01.000Z');
    expect([a.ordinal, b.ordinal]).toEqual([0, 1]);
    expect(a.volumes.map((v) => v.containerPath)).toEqual(['v0', 'v1']);
    for (const v of [...a.volumes, ...b.volumes]) {
      expect(v.persistenceId).toMatch(/^group_web#v[01]#[0-9a-f-]{36}$/);
      expect(v.path).toBe(join(dataDir, 'volumes', v.persistenceId));
      expect(existsSync(v.path)).toBe(true);
    }
    expect(pool.free().disk).toBe(700);
    // b runs a task; a is free; a finished task holds nothing.
    expect(book.free('/group/web', [task('t1', b.id)])?.id).toBe(a.id);
    expect(book.free('/group/web', [task('t1', b.id), task('t2', a.id)])).toBeUndefined();
    expect(book.free('/group/web', [task('t1', b.id), task('t2', a.id, 'TASK_FAILED')])?.id).toBe(a.id);
  });

  it('destroys a marked reservation only once no task holds it, and reloads what the store has', () => {
    const { book, pool, store, dataDir } = setup();
    const db = app('/db', [200]);
    const a = book.create(db, 'now');
    const b = book.create(db, 'now');
    book.markDestroying(a.id);
    expect(book.free('/db', [])?.id).toBe(b.id);
    expect(book.sweep([task('t', a.id)])).toBe(0);
    expect(existsSync(a.volumes[0].path)).toBe(true);
    expect(book.sweep([task('t', a.id, 'TASK_KILLED')])).toBe(1);
    expect(existsSync(a.volumes[0].path)).toBe(false);
    expect(book.get(a.id)).toBeUndefined();
    expect(pool.free().disk).toBe(800);

    // A new book over the same store (a restarted daemon) finds b, its disk, and its directory.
    const pool2 = new ResourcePool({ cpus: 4, mem: 4096, disk: 1000, gpus: 0 });
    const again = new Reservations(store, pool2, dataDir, () => {});
    expect(again.all().map((r) => r.id)).toEqual([b.id]);
    expect(pool2.free().disk).toBe(800);
  });

  it('gives a vanished directory back empty and says so; reports directories no reservation owns, and keeps them', () => {
    const { book, store, dataDir, logs } = setup();
    const r = book.create(app('/kv', [10]), 'now');
    rmSync(r.volumes[0].path, { recursive: true });
    book.ensureDirectories(r);
    expect(existsSync(r.volumes[0].path)).toBe(true);
    expect(logs.join('\n')).toContain(`persistent volume ${r.volumes[0].persistenceId} of /kv was missing`);

    const stray = join(dataDir, 'volumes', 'someone#else#1');
    mkdirSync(stray);
    const later: string[] = [];
    new Reservations(store, new ResourcePool({ cpus: 1, mem: 1, disk: 1000, gpus: 0 }), dataDir, (m) => later.push(m));
    expect(later.join('\n')).toContain('no app owns (kept, never deleted by the cluster): someone#else#1');
    expect(existsSync(stray)).toBe(true);
  });

  it('measures what each volume uses', () => {
    const { book } = setup();
    const r = book.create(app('/u', [10]), 'now');
    const empty = book.usage(r, 0).get(r.volumes[0].persistenceId);
    expect(empty).toEqual({ bytes: 0, complete: true });
    writeFileSync(join(r.volumes[0].path, 'f'), Buffer.alloc(64 * 1024, 1));
    // Cached for a few seconds, then measured again.
    expect(book.usage(r, 1000).get(r.volumes[0].persistenceId)?.bytes).toBe(0);
    expect(book.usage(r, 10_000).get(r.volumes[0].persistenceId)?.bytes).toBeGreaterThanOrEqual(64 * 1024);
  });
});
