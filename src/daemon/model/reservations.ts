/**
 * Marathon's local persistent volumes on the embedded node. Each instance of a resident app (one
 * with persistent volumes) holds a reservation: its volumes, directories under the data dir that
 * outlive its tasks. A task of the instance that fails, is killed or is replaced by an upgrade is
 * relaunched on the same reservation; scaling down suspends reservations (their volumes are kept),
 * scaling up takes suspended ones before making new ones. Only an app's removal or a kill with
 * `wipe=true` destroys a reservation, and only once no task holds it.
 *
 * A reservation is stored before its directories exist and forgotten only after they are gone, so
 * a daemon killed at any moment finds every volume again: a stored reservation whose directory is
 * missing gets it back empty (and says so in the log), a directory without a reservation is left
 * alone (and reported).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { AppVolume } from '../../marathon/app-types.js';
import { hasPersistentVolumes } from '../../marathon/validate-container.js';
import type { Json } from '../../marathon/validation-issues.js';
import type { Store } from '../store/store.js';
import { isTerminal, type Task } from '../types.js';
import type { StoredApp } from './app-changes.js';
import type { ResourcePool } from './resources.js';

export interface PersistentVolume {
  /** Marathon's LocalVolumeId: `<app id with / as _>#<containerPath>#<uuid>`. */
  persistenceId: string;
  containerPath: string;
  /** MiB, counted against the node's disk for as long as the reservation lives. */
  size: number;
  /** The directory on the node. */
  path: string;
}

export interface Reservation {
  /** The instance it belongs to. */
  id: string;
  appId: string;
  /** 0, 1, 2...: scaling down suspends the highest, scaling up resumes the lowest. */
  ordinal: number;
  volumes: PersistentVolume[];
  createdAt: string;
  /** Wiped, or its app removed: never used again, destroyed once no task holds it. */
  destroying?: boolean;
}

/** The persistent volumes an app declares (none: it is not resident). */
export function persistentVolumesOf(app: Pick<StoredApp, 'container'>): AppVolume[] {
  return (app.container?.volumes ?? []).filter((v) => v.persistent != null && typeof v.containerPath === 'string');
}

/** Marathon's "resident": the app declares persistent volumes (the validation's own rule). */
export function isResident(app: Pick<StoredApp, 'container'>): boolean {
  return hasPersistentVolumes(app as Json);
}

/** The disk (MiB) a new reservation of the app takes. */
export function volumeDisk(app: Pick<StoredApp, 'container'>): number {
  return persistentVolumesOf(app).reduce((sum, v) => sum + (v.persistent?.size ?? 0), 0);
}

export function volumesRoot(dataDir: string): string {
  return path.join(dataDir, 'volumes');
}

export class Reservations {
  private readonly byId = new Map<string, Reservation>();

  constructor(
    private readonly store: Store,
    private readonly resources: ResourcePool,
    private readonly dataDir: string,
    private readonly log: (message: string) => void,
  ) {
    for (const r of store.loadReservations<Reservation>()) {
      this.byId.set(r.id, r);
      this.resources.reserve(diskOf(r));
    }
    this.reportStrays();
  }

  all(): Reservation[] {
    return [...this.byId.values()];
  }

  get(id: string | null | undefined): Reservation | undefined {
    return id ? this.byId.get(id) : undefined;
  }

  /** The app's reservations, lowest instance first. */
  ofApp(appId: string): Reservation[] {
    return this.all()
      .filter((r) => r.appId === appId)
      .sort((a, b) => a.ordinal - b.ordinal);
  }

  /** The active task running on the reservation, if any. */
  holder(r: Reservation, tasks: Iterable<Task>): Task | undefined {
    for (const t of tasks) if (t.reservationId === r.id && !isTerminal(t.state)) return t;
    return undefined;
  }

  /** The lowest suspended reservation of the app that a new task may take, if any. */
  free(appId: string, tasks: Iterable<Task>): Reservation | undefined {
    const held = new Set<string>();
    for (const t of tasks) if (t.reservationId && !isTerminal(t.state)) held.add(t.reservationId);
    return this.ofApp(appId).find((r) => !r.destroying && !held.has(r.id));
  }

  /**
   * A new reservation for the next instance of the app: stored first, then its directories are
   * made and its disk counted. Throws when the store cannot take it (nothing is changed then).
   */
  create(app: StoredApp, now: string): Reservation {
    const taken = new Set(this.ofApp(app.id).map((r) => r.ordinal));
    let ordinal = 0;
    while (taken.has(ordinal)) ordinal += 1;
    const safeId = app.id.replace(/^\//, '').replace(/\//g, '_');
    const volumes = persistentVolumesOf(app).map((v) => {
      const persistenceId = `${safeId}#${v.containerPath}#${randomUUID()}`;
      return { persistenceId, containerPath: v.containerPath as string, size: v.persistent?.size ?? 0, path: path.join(volumesRoot(this.dataDir), persistenceId) };
    });
    const r: Reservation = { id: `${safeId}.instance-${randomUUID()}`, appId: app.id, ordinal, volumes, createdAt: now };
    this.store.putReservation(r);
    this.byId.set(r.id, r);
    this.resources.reserve(diskOf(r));
    this.ensureDirectories(r, true);
    return r;
  }

  /**
   * Makes sure every volume directory of the reservation exists (before each launch on it). One
   * that vanished behind the daemon's back comes back empty, and the log says so.
   */
  ensureDirectories(r: Reservation, fresh = false): void {
    for (const v of r.volumes) {
      if (existsSync(v.path)) continue;
      mkdirSync(v.path, { recursive: true, mode: 0o755 });
      if (!fresh) this.log(`persistent volume ${v.persistenceId} of ${r.appId} was missing from ${v.path}: it starts again empty`);
    }
  }

  /** Marks a reservation for destruction (stored); it goes once no task holds it. */
  markDestroying(id: string): void {
    const r = this.byId.get(id);
    if (!r || r.destroying) return;
    const next = { ...r, destroying: true };
    this.store.putReservation(next);
    this.byId.set(id, next);
  }

  /** Marks every reservation of the app for destruction. */
  markAppDestroying(appId: string): void {
    for (const r of this.ofApp(appId)) this.markDestroying(r.id);
  }

  /**
   * Destroys every reservation marked for it that no active task holds: directories first, then
   * the stored record (a crash in between destroys them again on the next pass), then the disk.
   * Returns how many went.
   */
  sweep(tasks: Iterable<Task>): number {
    const active = [...tasks];
    let destroyed = 0;
    for (const r of this.all()) {
      if (!r.destroying || this.holder(r, active)) continue;
      try {
        for (const v of r.volumes) rmSync(v.path, { recursive: true, force: true });
      } catch (err) {
        this.log(`destroying the volumes of ${r.id} failed (tried again on the next pass): ${(err as Error).message}`);
        continue;
      }
      this.store.deleteReservation(r.id);
      this.byId.delete(r.id);
      this.resources.release(diskOf(r));
      this.log(`destroyed the persistent volumes of instance ${r.id} of ${r.appId}: ${r.volumes.map((v) => v.persistenceId).join(', ')}`);
      destroyed += 1;
    }
    return destroyed;
  }

  /** Whether any reservation of the app waits to be destroyed (its removal is not over). */
  destroyingOf(appId: string): boolean {
    return this.ofApp(appId).some((r) => r.destroying);
  }

  /**
   * Bytes used in each volume of the reservation (a walk bounded in entries, so a volume of
   * millions of files costs a bounded time and reports a lower bound), cached for a few seconds.
   */
  usage(r: Reservation, now = Date.now()): Map<string, { bytes: number; complete: boolean }> {
    const out = new Map<string, { bytes: number; complete: boolean }>();
    for (const v of r.volumes) {
      const cached = this.usageCache.get(v.persistenceId);
      if (cached && now - cached.at < USAGE_TTL_MS) {
        out.set(v.persistenceId, cached.value);
        continue;
      }
      const value = diskUsage(v.path, USAGE_MAX_ENTRIES);
      this.usageCache.set(v.persistenceId, { at: now, value });
      out.set(v.persistenceId, value);
    }
    return out;
  }
  private readonly usageCache = new Map<string, { at: number; value: { bytes: number; complete: boolean } }>();

  /** Directories under volumes/ that no reservation owns: never deleted, only reported. */
  private reportStrays(): void {
    let names: string[];
    try {
      names = readdirSync(volumesRoot(this.dataDir));
    } catch {
      return;
    }
    const owned = new Set(this.all().flatMap((r) => r.volumes.map((v) => v.persistenceId)));
    const strays = names.filter((n) => !owned.has(n));
    if (strays.length > 0) {
      this.log(`volumes/ holds ${strays.length} director${strays.length === 1 ? 'y' : 'ies'} no app owns (kept, never deleted by the cluster): ${strays.slice(0, 5).join(', ')}${strays.length > 5 ? ', ...' : ''}`);
    }
  }
}

function diskOf(r: Reservation): { cpus: number; mem: number; disk: number; gpus: number } {
  return { cpus: 0, mem: 0, disk: r.volumes.reduce((sum, v) => sum + v.size, 0), gpus: 0 };
}

const USAGE_TTL_MS = 5000;
const USAGE_MAX_ENTRIES = 20_000;

/** Allocated bytes below `dir` (as du counts them), never following links. */
function diskUsage(dir: string, maxEntries: number): { bytes: number; complete: boolean } {
  let bytes = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (++seen > maxEntries) return { bytes, complete: false };
      const full = path.join(current, e.name);
      try {
        const st = lstatSync(full);
        bytes += st.blocks * 512;
        if (st.isDirectory()) stack.push(full);
      } catch {
        // gone meanwhile
      }
    }
  }
  return { bytes, complete: true };
}
