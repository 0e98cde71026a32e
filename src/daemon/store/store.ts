/**
 * The embedded cluster's durable state in SQLite (WAL): apps and their versions, tasks,
 * deployments and a little metadata. The daemon keeps its working state in memory and writes every
 * change here in one transaction, so a daemon killed at any moment restarts from a consistent state.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Every table of the store, with its columns. */
const TABLES = {
  meta: '(key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  apps: '(id TEXT PRIMARY KEY, definition TEXT NOT NULL)',
  app_versions: '(id TEXT NOT NULL, version TEXT NOT NULL, definition TEXT NOT NULL, PRIMARY KEY (id, version))',
  tasks: '(id TEXT PRIMARY KEY, app_id TEXT NOT NULL, data TEXT NOT NULL)',
  completed_tasks: '(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, app_id TEXT NOT NULL, data TEXT NOT NULL)',
  deployments: '(id TEXT PRIMARY KEY, data TEXT NOT NULL)',
  app_failures: '(app_id TEXT PRIMARY KEY, data TEXT NOT NULL)',
  reservations: '(id TEXT PRIMARY KEY, app_id TEXT NOT NULL, data TEXT NOT NULL)',
};

/** The names of the store's tables (a database with others is not a cluster's). */
export const STORE_TABLES: readonly string[] = Object.keys(TABLES);

const SCHEMA = Object.entries(TABLES)
  .map(([name, columns]) => `CREATE TABLE IF NOT EXISTS ${name} ${columns};`)
  .join('\n');

/** Marathon keeps at most this many versions of an app. */
export const MAX_VERSIONS = 50;
/** Finished tasks kept for `--completed` listings and the Mesos state. */
const MAX_COMPLETED = 1000;

export class Store {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Every change is its own transaction; NORMAL keeps them durable across a daemon crash
    // (only an OS crash may lose the last ones), at a fraction of FULL's cost.
    this.db.pragma('synchronous = NORMAL');
    // Only another connection (someone's sqlite3, a backup) can hold the write lock: the daemon is
    // the only writer. A wait blocks the whole daemon (these calls are synchronous), so it is
    // short; a write that still fails is answered 503, or retried (task changes, scheduler passes).
    this.db.pragma('busy_timeout = 1000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      allApps: db.prepare<[], { definition: string }>('SELECT definition FROM apps'),
      putApp: db.prepare('INSERT INTO apps (id, definition) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET definition = excluded.definition'),
      deleteApp: db.prepare('DELETE FROM apps WHERE id = ?'),
      putVersion: db.prepare('INSERT OR REPLACE INTO app_versions (id, version, definition) VALUES (?, ?, ?)'),
      versions: db.prepare<[string], { version: string }>('SELECT version FROM app_versions WHERE id = ? ORDER BY version DESC'),
      version: db.prepare<[string, string], { definition: string }>('SELECT definition FROM app_versions WHERE id = ? AND version = ?'),
      trimVersions: db.prepare(
        'DELETE FROM app_versions WHERE id = ? AND version NOT IN (SELECT version FROM app_versions WHERE id = ? ORDER BY version DESC LIMIT ?)',
      ),
      deleteVersions: db.prepare('DELETE FROM app_versions WHERE id = ?'),
      allTasks: db.prepare<[], { data: string }>('SELECT data FROM tasks'),
      putTask: db.prepare('INSERT INTO tasks (id, app_id, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data'),
      deleteTask: db.prepare('DELETE FROM tasks WHERE id = ?'),
      addCompleted: db.prepare('INSERT INTO completed_tasks (id, app_id, data) VALUES (?, ?, ?)'),
      trimCompleted: db.prepare('DELETE FROM completed_tasks WHERE seq <= (SELECT MAX(seq) FROM completed_tasks) - ?'),
      completed: db.prepare<[], { data: string }>('SELECT data FROM completed_tasks ORDER BY seq'),
      allDeployments: db.prepare<[], { id: string; data: string }>('SELECT id, data FROM deployments'),
      putDeployment: db.prepare('INSERT INTO deployments (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data'),
      deleteDeployment: db.prepare('DELETE FROM deployments WHERE id = ?'),
      putFailure: db.prepare('INSERT INTO app_failures (app_id, data) VALUES (?, ?) ON CONFLICT(app_id) DO UPDATE SET data = excluded.data'),
      allFailures: db.prepare<[], { app_id: string; data: string }>('SELECT app_id, data FROM app_failures'),
      deleteFailure: db.prepare('DELETE FROM app_failures WHERE app_id = ?'),
      allReservations: db.prepare<[], { data: string }>('SELECT data FROM reservations'),
      putReservation: db.prepare('INSERT INTO reservations (id, app_id, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data'),
      deleteReservation: db.prepare('DELETE FROM reservations WHERE id = ?'),
    };
  }

  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  loadApps<T>(): T[] {
    return this.stmts.allApps.all().map((r) => JSON.parse(r.definition) as T);
  }

  /** Stores the app as current and as a version, keeping Marathon's version limit. */
  putApp(id: string, version: string, definition: unknown, newVersion: boolean): void {
    const json = JSON.stringify(definition);
    this.stmts.putApp.run(id, json);
    if (newVersion) {
      this.stmts.putVersion.run(id, version, json);
      this.stmts.trimVersions.run(id, id, MAX_VERSIONS);
    }
  }

  deleteApp(id: string): void {
    this.stmts.deleteApp.run(id);
    this.stmts.deleteVersions.run(id);
    this.stmts.deleteFailure.run(id);
  }

  /** Newest first, as Marathon lists them. */
  appVersions(id: string): string[] {
    return this.stmts.versions.all(id).map((r) => r.version);
  }

  appVersion<T>(id: string, version: string): T | undefined {
    const row = this.stmts.version.get(id, version);
    return row ? (JSON.parse(row.definition) as T) : undefined;
  }

  loadTasks<T>(): T[] {
    return this.stmts.allTasks.all().map((r) => JSON.parse(r.data) as T);
  }

  putTask(task: { id: string; appId: string }): void {
    this.stmts.putTask.run(task.id, task.appId, JSON.stringify(task));
  }

  /** Moves a finished task to the completed list. */
  completeTask(task: { id: string; appId: string }): void {
    this.stmts.deleteTask.run(task.id);
    this.stmts.addCompleted.run(task.id, task.appId, JSON.stringify(task));
    this.stmts.trimCompleted.run(MAX_COMPLETED);
  }

  completedTasks<T>(): T[] {
    return this.stmts.completed.all().map((r) => JSON.parse(r.data) as T);
  }

  loadDeployments<T>(): T[] {
    return this.stmts.allDeployments.all().map((r) => JSON.parse(r.data) as T);
  }

  putDeployment(id: string, data: unknown): void {
    this.stmts.putDeployment.run(id, JSON.stringify(data));
  }

  deleteDeployment(id: string): void {
    this.stmts.deleteDeployment.run(id);
  }

  putFailure(appId: string, data: unknown): void {
    this.stmts.putFailure.run(appId, JSON.stringify(data));
  }

  loadFailures<T>(): Map<string, T> {
    return new Map(this.stmts.allFailures.all().map((r) => [r.app_id, JSON.parse(r.data) as T]));
  }

  /** Persistent-volume reservations: they outlive their tasks, and their app's versions. */
  loadReservations<T>(): T[] {
    return this.stmts.allReservations.all().map((r) => JSON.parse(r.data) as T);
  }

  putReservation(r: { id: string; appId: string }): void {
    this.stmts.putReservation.run(r.id, r.appId, JSON.stringify(r));
  }

  deleteReservation(id: string): void {
    this.stmts.deleteReservation.run(id);
  }

  close(): void {
    this.db.close();
  }
}
