// Group commit for the embedded store: writes and transactions submitted in the same turn of the
// event loop are applied in ONE SQLite transaction, then made durable by one fsync off the event loop
// (sqlite-wal-sync.ts), then each is settled on its own. A failed compare-and-swap or txn compare fails
// only that item; a failed commit fails the whole batch.
//
// A batch is invisible until its fsync has finished: its writes are not acknowledged, its watch events not
// sent, and reads and watches see the store at `visibleRevision`, the last revision on disk. Batches become
// visible in commit order. A failed fsync fails its writes and every write after it (fail-stop: what is on
// disk is then unknown until the server restarts and SQLite recovers the WAL).

import type { KeyValue, TxnCompare, TxnOp, TxnResult, WatchEvent } from "./store.js";
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreError, StoreUnavailableError } from "./store.js";
import { describeSqliteError, readRevision, type Db } from "./sqlite-schema.js";
import type { SqliteQueries } from "./sqlite-queries.js";
import { RowWriter } from "./sqlite-row-writer.js";
import { applyTxn } from "./sqlite-txn.js";
import type { DurableWrites } from "./sqlite-wal-sync.js";

export type WriteOp =
  | { kind: "create"; key: string; value: string }
  | { kind: "update"; key: string; value: string; expected: number }
  | { kind: "delete"; key: string; expected: number | undefined };

export type WriteResult = { kv: KeyValue; revision: number };

/** What applying one queued item inside the batch's transaction produced. */
type Applied<T> = { ok: true; value: T; events: WatchEvent[] } | { ok: false; error: StoreError };

/** A queued item: applied inside the transaction, settled after the commit. */
interface Pending {
  apply(): { events: WatchEvent[]; settle(): void };
  reject(err: Error): void;
}

export interface GroupCommitOptions {
  db: Db;
  queries: SqliteQueries;
  /** Makes committed batches durable (the WAL fsynced). */
  durable: DurableWrites;
  /** Called once a batch is durable, before its writes settle, with its events in revision order. */
  onCommit: (events: WatchEvent[]) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly rows: RowWriter;
  /** The last revision on disk: what reads, watches and clients may see. */
  private visible: number;
  /** Settles when every committed batch is durable and settled (never rejects). */
  private landed: Promise<void> = Promise.resolve();
  /** Set by a failed fsync: every later write fails with it. */
  private broken: StoreUnavailableError | undefined;
  /** Transactions committed and items (single writes or txns) submitted so far, for metrics and tests. */
  readonly stats = { commits: 0, writes: 0 };

  constructor(private readonly options: GroupCommitOptions) {
    this.rows = new RowWriter(options.queries, readRevision(options.db));
    this.visible = this.rows.revision;
  }

  /** The last committed revision, durable or not (the next write takes the one after it). */
  get revision(): number {
    return this.rows.revision;
  }

  /** The last durable revision: the newest state anyone outside the store may see. */
  get visibleRevision(): number {
    return this.visible;
  }

  /** The failed fsync, if one failed. */
  get failure(): StoreUnavailableError | undefined {
    return this.broken;
  }

  /** Resolves when every batch committed so far is durable and settled (or failed). */
  drain(): Promise<void> {
    return this.landed;
  }

  submit(op: WriteOp): Promise<WriteResult> {
    return this.enqueue(() => this.applyWrite(op));
  }

  /** Queues a txn (already checked with checkTxn); its compares are evaluated when its turn in the batch comes. */
  submitTxn(compares: readonly TxnCompare[], ops: readonly TxnOp[]): Promise<TxnResult> {
    return this.enqueue(() => {
      const { result, events } = applyTxn(this.rows, compares, ops);
      return { ok: true, value: result, events };
    });
  }

  /** Commits everything queued now (also called by close so no acknowledged-to-be write is dropped). */
  flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    if (batch.length === 0) return;
    if (this.broken) return rejectAll(batch, this.broken);
    const before = this.rows.revision;
    const applied: ReturnType<Pending["apply"]>[] = [];
    try {
      this.options.db.transaction(() => {
        for (const pending of batch) applied.push(pending.apply());
      })();
      this.stats.commits++;
    } catch (err) {
      this.rows.revision = before;
      return rejectAll(batch, new StoreUnavailableError(`the SQLite store could not commit ${batch.length} write(s): ${describeSqliteError(err)}`));
    }
    const events = applied.flatMap((item) => item.events);
    const last = this.rows.revision;
    const synced = this.options.durable.sync();
    // In commit order: a batch is shown only after every batch before it.
    this.landed = Promise.all([this.landed, synced])
      .then(
        () => this.land(batch, applied, events, last),
        (err: unknown) => this.fail(batch, err),
      )
      // A throw from onCommit is a bug to surface as before (uncaught), without breaking the chain of later batches.
      .catch((err: unknown) =>
        queueMicrotask(() => {
          throw err;
        }),
      );
  }

  private land(batch: Pending[], applied: ReturnType<Pending["apply"]>[], events: WatchEvent[], last: number): void {
    // An earlier batch's fsync failed: whether this one reached the disk is unknown, so it fails too.
    if (this.broken) return rejectAll(batch, this.broken);
    this.visible = last;
    try {
      if (events.length > 0) this.options.onCommit(events);
    } finally {
      for (const item of applied) item.settle();
    }
  }

  private fail(batch: Pending[], err: unknown): void {
    this.broken ??= new StoreUnavailableError(
      `the SQLite store could not make its writes durable (fsync of the WAL failed: ${err instanceof Error ? err.message : String(err)}); restart the server to recover the store`,
    );
    rejectAll(batch, this.broken);
  }

  /** Fails every queued write (the store is closing without a usable database). */
  rejectQueued(err: Error): void {
    const batch = this.queue;
    this.queue = [];
    rejectAll(batch, err);
  }

  private enqueue<T>(apply: () => Applied<T>): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    this.stats.writes++;
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        apply: () => {
          const outcome = apply();
          if (!outcome.ok) return { events: [], settle: () => reject(outcome.error) };
          return { events: outcome.events, settle: () => resolve(outcome.value) };
        },
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: it runs after the event loop has taken every ready request,
        // so concurrent writers arriving on separate sockets share one fsync.
        setImmediate(() => this.flush());
      }
    });
  }

  private applyWrite(op: WriteOp): Applied<WriteResult> {
    const live = this.rows.live(op.key);
    if (op.kind === "create") {
      if (live) return { ok: false, error: new KeyExistsError(op.key) };
      const { kv, event } = this.rows.put(op.key, op.value, undefined);
      return { ok: true, value: { kv, revision: kv.modRevision }, events: [event] };
    }
    if (!live) return { ok: false, error: new KeyNotFoundError(op.key) };
    if (op.expected !== undefined && op.expected !== live.id) {
      return { ok: false, error: new RevisionConflictError(op.key, op.expected, live.id) };
    }
    if (op.kind === "update") {
      const { kv, event } = this.rows.put(op.key, op.value, live);
      return { ok: true, value: { kv, revision: kv.modRevision }, events: [event] };
    }
    const { kv, revision, event } = this.rows.remove(live);
    return { ok: true, value: { kv, revision }, events: [event] };
  }
}

function rejectAll(batch: readonly Pending[], err: Error): void {
  for (const pending of batch) pending.reject(err);
}
