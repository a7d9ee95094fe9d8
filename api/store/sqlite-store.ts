// The embedded Store (the default): SQLite through better-sqlite3, kine-style. Durable on acknowledge
// (WAL, group commit, each batch fsynced off the event loop before anyone sees it: sqlite-wal-sync.ts),
// snapshot reads at any revision still in history, and in-process watches. One process owns the file
// (an exclusive lock enforces it).

import type { KeyValue, ListOptions, ListResult, Store, StoreWatch, TxnCompare, TxnOp, TxnResult, WatchOptions } from "./store.js";
import { CompactedError, StoreUnavailableError } from "./store.js";
import { describeSqliteError, openDatabase, readMeta, toKeyValue, writeMeta, type Db } from "./sqlite-schema.js";
import { prefixEnd, SqliteQueries } from "./sqlite-queries.js";
import { GroupCommit, type WriteOp, type WriteResult } from "./sqlite-group-commit.js";
import { checkTxn } from "./txn-check.js";
import { SqliteWatchHub } from "./sqlite-watch-hub.js";
import { futureRevisionError } from "./future-revision.js";
import { inMemoryWrites, WalSync, type DurableWrites } from "./sqlite-wal-sync.js";
import { fileSizes, housekeep, type HousekeepingOptions, type HousekeepingReport, type StoreFileSizes } from "./sqlite-housekeeping.js";

export interface SqliteStoreOptions {
  /** The database file (created with its directory when missing), or ":memory:" for a throwaway store. */
  path: string;
  /** How long opening waits for another process to release the file (ms). */
  lockTimeoutMs?: number;
}

const COMPACTED_KEY = "compacted_revision";
/** The first row id the next compaction must read (the rows below it are compacted or live). */
const SCANNED_KEY = "compaction_scanned_from";
/** Revisions per compaction transaction: each is one short lock hold and one fsync, then writes get a turn. */
const COMPACT_CHUNK = 2_000;

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options.path, openDatabase(options.path, options.lockTimeoutMs));
}

export class SqliteStore implements Store {
  private readonly queries: SqliteQueries;
  private readonly writer: GroupCommit;
  private readonly hub: SqliteWatchHub;
  private compactedRevision: number;
  /** Compactions run one after another. */
  private compacting: Promise<void> = Promise.resolve();
  private readonly durable: DurableWrites;
  private closed = false;
  /** close() has begun: new writes are refused while the last batches land. Every close() waits for this one. */
  private closing: Promise<void> | undefined;

  /** Use openSqliteStore; this takes an already opened database (and, for tests, how commits become durable). */
  constructor(
    readonly path: string,
    private readonly db: Db,
    durable?: DurableWrites,
  ) {
    this.queries = new SqliteQueries(db);
    this.compactedRevision = readMeta(db, COMPACTED_KEY) ?? 0;
    this.durable = durable ?? (path === ":memory:" ? inMemoryWrites : new WalSync(`${path}-wal`));
    this.hub = new SqliteWatchHub({
      queries: this.queries,
      revision: () => this.writer.visibleRevision,
      compacted: () => this.compactedRevision,
    });
    this.writer = new GroupCommit({ db, queries: this.queries, durable: this.durable, onCommit: (events) => this.hub.dispatch(events) });
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
    let row = this.queries.latest(key);
    if (row && row.id > this.writer.visibleRevision) {
      // A write to this key waits for its fsync: nobody may see it before then, and a reader that is about to
      // compare-and-swap needs it, so wait for it to land (well under a millisecond) rather than answer stale.
      await this.writer.drain();
      this.assertOpen();
      row = this.queries.latestAt(key, this.writer.visibleRevision);
    }
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
    if (this.closed || this.closing) throw closedError(this.path);
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
    return this.writer.visibleRevision;
  }

  /** Resolves when the rows below `revision` are gone; writes are served between its chunks. */
  async compact(revision: number): Promise<void> {
    this.assertOpen();
    const current = this.writer.visibleRevision;
    if (revision > current) throw futureRevisionError(revision, current);
    // Already compacted at or past this point: nothing to drop (etcd would refuse; idempotent is kinder).
    if (revision - 1 <= this.compactedRevision) return;
    // Record first, so reads below the new horizon fail before their rows start disappearing.
    this.guarded(revision, () => writeMeta(this.db, COMPACTED_KEY, revision - 1));
    this.compactedRevision = revision - 1;
    const run = this.compacting.then(() => this.dropHistory(revision));
    this.compacting = run.catch(() => undefined);
    await run;
  }

  /** Deletes the rows no read at or after `revision` can see, a chunk per turn of the event loop. */
  private async dropHistory(revision: number): Promise<void> {
    let from = this.guarded(revision, () => readMeta(this.db, SCANNED_KEY) ?? this.queries.oldestRow() ?? revision);
    while (from <= revision && !this.closed) {
      const to = Math.min(from + COMPACT_CHUNK, revision + 1);
      // The row at `revision` is read again next time: a tombstone there is dropped once the horizon passes it.
      const next = Math.min(to, revision);
      this.guarded(revision, () => this.db.transaction(() => (this.queries.compactChunk(from, to, revision), writeMeta(this.db, SCANNED_KEY, next)))());
      if (to > revision) return;
      from = to;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private guarded<T>(revision: number, step: () => T): T {
    try {
      return step();
    } catch (err) {
      throw new StoreUnavailableError(`the SQLite store could not compact to revision ${revision}: ${describeSqliteError(err)}`);
    }
  }

  /** Gives free pages back and truncates the WAL, in short steps (see sqlite-housekeeping.ts); run after compact. */
  async housekeep(options: Omit<HousekeepingOptions, "yieldBetweenSteps"> = {}): Promise<HousekeepingReport> {
    this.assertOpen();
    try {
      return await housekeep(this.db, { ...options, yieldBetweenSteps: () => new Promise<void>((resolve) => setImmediate(resolve)) });
    } catch (err) {
      throw new StoreUnavailableError(`the SQLite store could not reclaim space: ${describeSqliteError(err)}`);
    }
  }

  /** The database and WAL file sizes and free pages, for metrics and benchmarks. */
  fileSizes(): StoreFileSizes {
    this.assertOpen();
    return fileSizes(this.db, this.path);
  }

  async oldestRevision(): Promise<number> {
    this.assertOpen();
    return this.compactedRevision + 1;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    if (this.writer.failure) throw this.writer.failure;
    try {
      this.db.prepare("SELECT 1").get();
    } catch (err) {
      throw new StoreUnavailableError(`the SQLite store at ${this.path} does not answer: ${describeSqliteError(err)}`);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    // Commit what callers already submitted; their promises settle (once durable) before the file closes.
    this.writer.flush();
    await this.writer.drain();
    this.closed = true;
    this.hub.failAll(closedError(this.path));
    this.db.close();
    await this.durable.close();
  }

  private write(op: WriteOp): Promise<WriteResult> {
    if (this.closed || this.closing) return Promise.reject(closedError(this.path));
    return this.writer.submit(op);
  }

  /** The revision a read happens at: the current one, or a snapshot still in history. */
  private readRevision(requested: number | undefined): number {
    const current = this.writer.visibleRevision;
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
