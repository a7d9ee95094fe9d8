// The embedded Store (the default): SQLite through better-sqlite3, kine-style. Durable on acknowledge
// (WAL, synchronous=FULL, group commit), snapshot reads at any revision still in history, and
// in-process watches. One process owns the file (an exclusive lock enforces it).

import type { KeyValue, ListOptions, ListResult, Store, StoreWatch, TxnCompare, TxnOp, TxnResult, WatchOptions } from "./store.js";
import { CompactedError, StoreUnavailableError } from "./store.js";
import { describeSqliteError, openDatabase, readMeta, toKeyValue, writeMeta, type Db } from "./sqlite-schema.js";
import { prefixEnd, SqliteQueries } from "./sqlite-queries.js";
import { GroupCommit, type WriteOp, type WriteResult } from "./sqlite-group-commit.js";
import { checkTxn } from "./txn-check.js";
import { SqliteWatchHub } from "./sqlite-watch-hub.js";
import { futureRevisionError } from "./future-revision.js";

export interface SqliteStoreOptions {
  /** The database file (created with its directory when missing), or ":memory:" for a throwaway store. */
  path: string;
  /** How long opening waits for another process to release the file (ms). */
  lockTimeoutMs?: number;
}

const COMPACTED_KEY = "compacted_revision";
const COMPACT_CHUNK = 10_000;

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options.path, openDatabase(options.path, options.lockTimeoutMs));
}

export class SqliteStore implements Store {
  private readonly queries: SqliteQueries;
  private readonly writer: GroupCommit;
  private readonly hub: SqliteWatchHub;
  private compactedRevision: number;
  private closed = false;

  /** Use openSqliteStore; this takes an already opened database. */
  constructor(
    readonly path: string,
    private readonly db: Db,
  ) {
    this.queries = new SqliteQueries(db);
    this.compactedRevision = readMeta(db, COMPACTED_KEY) ?? 0;
    this.hub = new SqliteWatchHub({
      queries: this.queries,
      revision: () => this.writer.revision,
      compacted: () => this.compactedRevision,
    });
    this.writer = new GroupCommit({ db, queries: this.queries, onCommit: (events) => this.hub.dispatch(events) });
  }

  /**
   * A consistent copy of the whole database at `destination` (SQLite's online backup, in steps, so writes go
   * on meanwhile): what `claw store backup` downloads. The copy is a plain rollback-journal database.
   */
  async backup(destination: string): Promise<{ pages: number }> {
    this.assertOpen();
    const result = await this.db.backup(destination);
    return { pages: result.totalPages };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    const row = this.queries.latest(key);
    return row && row.deleted === 0 ? toKeyValue(row) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const revision = this.readRevision(options.revision);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const after = options.startAfter !== undefined && options.startAfter >= prefix;
    const rows = this.queries.list({
      lower: after ? (options.startAfter ?? prefix) : prefix,
      after,
      end: prefixEnd(prefix),
      revision,
      limit: limit > 0 ? limit + 1 : -1,
    });
    const more = limit > 0 && rows.length > limit;
    return { items: (more ? rows.slice(0, limit) : rows).map(toKeyValue), revision, more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return (await this.write({ kind: "create", key, value })).kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return (await this.write({ kind: "update", key, value, expected: expectedModRevision })).kv;
  }

  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    return this.write({ kind: "delete", key, expected: expectedModRevision });
  }

  /** Each write takes its own revision, consecutive in op order; the txn joins its tick's one commit, so live watches get its events in one call. */
  async txn(compares: readonly TxnCompare[], ops: readonly TxnOp[]): Promise<TxnResult> {
    checkTxn(compares, ops);
    if (this.closed) throw closedError(this.path);
    return this.writer.submitTxn(compares, ops);
  }

  watch(prefix: string, options: WatchOptions): StoreWatch {
    if (this.closed) {
      queueMicrotask(() => options.onError(closedError(this.path)));
      return { close: () => undefined };
    }
    return this.hub.watch(prefix, options);
  }

  /** Commits (fsyncs) and writes so far: writes / commits is the group-commit batch size. */
  stats(): { commits: number; writes: number } {
    return { ...this.writer.stats };
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.writer.revision;
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    const current = this.writer.revision;
    if (revision > current) throw futureRevisionError(revision, current);
    // Already compacted at or past this point: nothing to drop (etcd would refuse; idempotent is kinder).
    if (revision - 1 <= this.compactedRevision) return;
    try {
      // Record first, so reads below the new horizon fail before their rows start disappearing.
      writeMeta(this.db, COMPACTED_KEY, revision - 1);
      this.compactedRevision = revision - 1;
      for (let from = this.queries.oldestRow() ?? revision; from < revision; from += COMPACT_CHUNK) {
        const to = Math.min(from + COMPACT_CHUNK, revision);
        // One transaction per chunk keeps each lock hold (and fsync) small during a large compaction.
        this.db.transaction(() => this.queries.compactChunk(from, to, revision))();
      }
    } catch (err) {
      throw new StoreUnavailableError(`the SQLite store could not compact to revision ${revision}: ${describeSqliteError(err)}`);
    }
  }

  async oldestRevision(): Promise<number> {
    this.assertOpen();
    return this.compactedRevision + 1;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      this.db.prepare("SELECT 1").get();
    } catch (err) {
      throw new StoreUnavailableError(`the SQLite store at ${this.path} does not answer: ${describeSqliteError(err)}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Commit what callers already submitted; their promises settle before the file closes.
    this.writer.flush();
    this.closed = true;
    this.hub.failAll(closedError(this.path));
    this.db.close();
  }

  private write(op: WriteOp): Promise<WriteResult> {
    if (this.closed) return Promise.reject(closedError(this.path));
    return this.writer.submit(op);
  }

  /** The revision a read happens at: the current one, or a snapshot still in history. */
  private readRevision(requested: number | undefined): number {
    const current = this.writer.revision;
    if (requested === undefined || requested <= 0) return current;
    if (requested > current) throw futureRevisionError(requested, current);
    if (requested <= this.compactedRevision) throw new CompactedError(requested, this.compactedRevision);
    return requested;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError(this.path);
  }
}

const closedError = (path: string): StoreUnavailableError =>
  new StoreUnavailableError(`the SQLite store at ${path} is closed`);
