// Prepared statements of the embedded store. A key range is [start, end) in SQLite's binary (UTF-8)
// order; each bound that is absent gets its own statement so every query can use the (name, id) index.

import type Database from "better-sqlite3";
import type { Db, RevisionRow } from "./sqlite-schema.js";

/** A history row joined with the row it replaced, for watch replay. */
export interface HistoryRow extends RevisionRow {
  prev_id: number | null;
  prev_value: string | null;
  prev_create_revision: number | null;
  prev_deleted: number | null;
}

export interface ListQuery {
  /** Inclusive lower bound, or exclusive when `after` is true. */
  lower: string;
  after: boolean;
  /** Exclusive upper bound; none for the empty prefix. */
  end: string | undefined;
  revision: number;
  /** SQLite LIMIT; -1 for all. */
  limit: number;
}

export interface HistoryQuery {
  start: string;
  end: string | undefined;
  fromRevision: number;
  toRevision: number;
  limit: number;
}

const COLUMNS = "id, name, value, create_revision, prev_revision, deleted";

export class SqliteQueries {
  private readonly latestStmt: Database.Statement<[string], RevisionRow>;
  private readonly latestAtStmt: Database.Statement<[string, number], RevisionRow>;
  private readonly insertStmt: Database.Statement<[number, string, string, number, number, number]>;
  private readonly compactSupersededStmt: Database.Statement<{ from: number; to: number; rev: number }>;
  private readonly compactTombstonesStmt: Database.Statement<{ from: number; to: number; rev: number }>;
  private readonly listStmts = new Map<string, Database.Statement<unknown[], RevisionRow>>();
  private readonly historyStmts = new Map<string, Database.Statement<unknown[], HistoryRow>>();

  constructor(private readonly db: Db) {
    this.latestStmt = db.prepare(`SELECT ${COLUMNS} FROM revisions WHERE name = ? ORDER BY id DESC LIMIT 1`);
    this.latestAtStmt = db.prepare(`SELECT ${COLUMNS} FROM revisions WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`);
    this.insertStmt = db.prepare(`INSERT INTO revisions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
    // A row at or below rev that replaced another (update, delete) makes the replaced row invisible to
    // every snapshot at or after rev: found through prev_revision, by primary key, never by a scan per name.
    this.compactSupersededStmt = db.prepare(
      `DELETE FROM revisions WHERE id IN (
         SELECT prev_revision FROM revisions WHERE id >= @from AND id < @to AND id <= @rev AND prev_revision > 0)`,
    );
    this.compactTombstonesStmt = db.prepare(`DELETE FROM revisions WHERE id >= @from AND id < @to AND id < @rev AND deleted = 1`);
  }

  /** The newest row of a key (possibly a tombstone). */
  latest(name: string): RevisionRow | undefined {
    return this.latestStmt.get(name);
  }

  /** The newest row of a key at or below `revision` (possibly a tombstone). */
  latestAt(name: string, revision: number): RevisionRow | undefined {
    return this.latestAtStmt.get(name, revision);
  }

  insert(row: RevisionRow): void {
    this.insertStmt.run(row.id, row.name, row.value, row.create_revision, row.prev_revision, row.deleted);
  }

  /** Live keys in range as of a revision, in key order. */
  list(query: ListQuery): RevisionRow[] {
    const variant = `${query.after ? ">" : ">="}${query.end === undefined ? "" : "<"}`;
    let stmt = this.listStmts.get(variant);
    if (!stmt) {
      // Walks the (name, id) index in key order and stops at LIMIT: each row is kept only when it is
      // its key's newest at the revision, so paging a big prefix does not read all of it.
      const upper = query.end === undefined ? "" : "AND r.name < @end";
      stmt = this.db.prepare(
        `SELECT r.id, r.name, r.value, r.create_revision, r.prev_revision, r.deleted FROM revisions r
         WHERE r.name ${query.after ? ">" : ">="} @lower ${upper} AND r.id <= @rev
           AND r.id = (SELECT MAX(r2.id) FROM revisions r2 WHERE r2.name = r.name AND r2.id <= @rev)
           AND r.deleted = 0
         ORDER BY r.name LIMIT @limit`,
      );
      this.listStmts.set(variant, stmt);
    }
    const params: Record<string, unknown> = { lower: query.lower, rev: query.revision, limit: query.limit };
    if (query.end !== undefined) params.end = query.end;
    return stmt.all(params);
  }

  /** Rows in a key range with fromRevision <= id <= toRevision, oldest first, with the rows they replaced. */
  history(query: HistoryQuery): HistoryRow[] {
    const variant = query.end === undefined ? "open" : "bounded";
    let stmt = this.historyStmts.get(variant);
    if (!stmt) {
      const upper = query.end === undefined ? "" : "AND r.name < @end";
      stmt = this.db.prepare(
        `SELECT r.id, r.name, r.value, r.create_revision, r.prev_revision, r.deleted,
                p.id AS prev_id, p.value AS prev_value, p.create_revision AS prev_create_revision, p.deleted AS prev_deleted
         FROM revisions r LEFT JOIN revisions p ON p.id = r.prev_revision AND r.prev_revision > 0
         WHERE r.id >= @from AND r.id <= @to AND r.name >= @start ${upper} ORDER BY r.id LIMIT @limit`,
      );
      this.historyStmts.set(variant, stmt);
    }
    const params: Record<string, unknown> = { from: query.fromRevision, to: query.toRevision, start: query.start, limit: query.limit };
    if (query.end !== undefined) params.end = query.end;
    return stmt.all(params);
  }

  /** The smallest row id still stored. */
  oldestRow(): number | undefined {
    const row = this.db.prepare("SELECT MIN(id) AS id FROM revisions").get() as { id: number | null };
    return row.id ?? undefined;
  }

  /**
   * Compacting to rev, for the rows with from <= id < to (callers walk [last scanned, rev] in chunks): deletes
   * the rows they replaced, then the tombstones among them below rev. Rows below `from` were made
   * unreachable by earlier chunks or stay live at rev, so each compaction reads only the new history.
   */
  compactChunk(from: number, to: number, rev: number): number {
    return this.compactSupersededStmt.run({ from, to, rev }).changes + this.compactTombstonesStmt.run({ from, to, rev }).changes;
  }
}

/** The exclusive end of a prefix range: the prefix with its last code unit incremented; none for "". */
export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return undefined;
}
