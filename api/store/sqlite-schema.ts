// The embedded store's on-disk layout (kine-style): one append-only table of revisions, where the
// row id is the global revision, plus a tiny meta table holding the compacted revision.

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StoreUnavailableError, type KeyValue } from "./store.js";

export type Db = Database.Database;

/** One row of `revisions`: a put (deleted = 0) or a tombstone carrying the deleted value (deleted = 1). */
export interface RevisionRow {
  id: number;
  name: string;
  value: string;
  create_revision: number;
  /** The row this one replaced (update, delete), or 0 for a create. */
  prev_revision: number;
  deleted: number;
}

/** A row (or a history row's own columns) as the Store's KeyValue: the row id is its modRevision. */
export const toKeyValue = (row: Pick<RevisionRow, "id" | "name" | "value" | "create_revision">): KeyValue => ({
  key: row.name,
  value: row.value,
  createRevision: row.create_revision,
  modRevision: row.id,
});

const SCHEMA_VERSION = 1;

/** What a checkpoint leaves of the WAL at most (SQLite's journal_size_limit). */
export const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS revisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_name_id ON revisions (name, id);
CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Opens (creating if needed) the database file, durable on commit and locked to this process:
 * the store assumes it is the only writer (its revision counter and watch fan-out live in memory).
 */
export function openDatabase(path: string, lockTimeoutMs = 2000): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: Db | undefined;
  try {
    if (path !== ":memory:") createPrivate(path);
    db = new Database(path);
    // Waits this long for a previous owner (a server still shutting down) to release the file.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(lockTimeoutMs))}`);
    // Before anything writes the header: a new file can give freed pages back (incremental_vacuum); an old one keeps its mode.
    db.pragma("auto_vacuum = INCREMENTAL");
    // Exclusive: a second claw server on the same file fails at open instead of corrupting revisions.
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    // NORMAL: a commit does not fsync on the event loop; the store fsyncs the WAL on the thread pool before it
    // acknowledges or shows a commit (sqlite-wal-sync.ts), so an acknowledged write survives a crash as with FULL.
    // Checkpoints still sync the WAL before and the database after, as SQLite does in every mode.
    db.pragma(`synchronous = ${path === ":memory:" ? "FULL" : "NORMAL"}`);
    // After a checkpoint resets the WAL, the file is cut back to this size instead of keeping its high-water mark.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    db.exec("BEGIN IMMEDIATE");
    db.exec(SCHEMA);
    const version = readMeta(db, "schema_version");
    if (version === undefined) writeMeta(db, "schema_version", SCHEMA_VERSION);
    else if (version > SCHEMA_VERSION) {
      throw new Error(`it was written by a newer claw (schema version ${version}, this one knows ${SCHEMA_VERSION})`);
    }
    db.exec("COMMIT");
    if (path !== ":memory:") tightenCompanions(path);
    return db;
  } catch (err) {
    db?.close();
    throw new StoreUnavailableError(`cannot open the SQLite store at ${path}: ${describeSqliteError(err)}`);
  }
}

/** The store holds sealed secrets and credential hashes: only the server's user may read its files. */
export const STORE_FILE_MODE = 0o600;

/** Creates the file owner-only before SQLite opens it (SQLite gives -wal and -shm the file's mode), and tightens an existing one. */
function createPrivate(path: string): void {
  closeSync(openSync(path, "a", STORE_FILE_MODE));
  chmodSync(path, STORE_FILE_MODE);
}

/** Tightens -wal and -shm left by an older claw, independent of the umask they were made under. */
function tightenCompanions(path: string): void {
  for (const file of [`${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, STORE_FILE_MODE);
}

export function readMeta(db: Db, key: string): number | undefined {
  const row = db.prepare("SELECT value FROM store_meta WHERE key = ?").get(key) as { value: number } | undefined;
  return row?.value;
}

export function writeMeta(db: Db, key: string, value: number): void {
  db.prepare("INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value);
}

/** The highest revision ever assigned (AUTOINCREMENT never reuses ids, even after compaction). */
export function readRevision(db: Db): number {
  const row = db
    .prepare("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'revisions'), 0), COALESCE((SELECT MAX(id) FROM revisions), 0)) AS rev")
    .get() as { rev: number };
  return row.rev;
}

/** Turns a SQLite failure into a sentence a user can act on. */
export function describeSqliteError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (code === "SQLITE_BUSY") return "the database is locked by another process (is another claw server using this data directory?)";
  if (code === "SQLITE_NOTADB") return "the file is not a SQLite database (point the store at a new path)";
  if (code === "SQLITE_FULL") return "the disk is full";
  if (code === "SQLITE_READONLY" || code === "SQLITE_CANTOPEN") return `${err.message} (check the path exists and is writable)`;
  return typeof code === "string" ? `${err.message} (${code})` : err.message;
}
