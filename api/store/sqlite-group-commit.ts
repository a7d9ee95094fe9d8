// Group commit for the embedded store: writes and transactions submitted in the same turn of the
// event loop are applied in ONE SQLite transaction (one fsync), then each is settled on its own. A
// failed compare-and-swap or txn compare fails only that item; a failed commit fails the whole batch.

import type { KeyValue, TxnCompare, TxnOp, TxnResult, WatchEvent } from "./store.js";
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreError, StoreUnavailableError } from "./store.js";
import { describeSqliteError, readRevision, type Db } from "./sqlite-schema.js";
import type { SqliteQueries } from "./sqlite-queries.js";
import { RowWriter } from "./sqlite-row-writer.js";
import { applyTxn } from "./sqlite-txn.js";

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
  /** Called synchronously after each commit with the batch's events in revision order. */
  onCommit: (events: WatchEvent[]) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly rows: RowWriter;
  /** Transactions committed and items (single writes or txns) submitted so far, for metrics and tests. */
  readonly stats = { commits: 0, writes: 0 };

  constructor(private readonly options: GroupCommitOptions) {
    this.rows = new RowWriter(options.queries, readRevision(options.db));
  }

  /** The last committed revision. */
  get revision(): number {
    return this.rows.revision;
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
    const before = this.rows.revision;
    const applied: ReturnType<Pending["apply"]>[] = [];
    try {
      this.options.db.transaction(() => {
        for (const pending of batch) applied.push(pending.apply());
      })();
      this.stats.commits++;
    } catch (err) {
      this.rows.revision = before;
      const error = new StoreUnavailableError(`the SQLite store could not commit ${batch.length} write(s): ${describeSqliteError(err)}`);
      for (const pending of batch) pending.reject(error);
      return;
    }
    const events = applied.flatMap((item) => item.events);
    if (events.length > 0) this.options.onCommit(events);
    for (const item of applied) item.settle();
  }

  /** Fails every queued write (the store is closing without a usable database). */
  rejectQueued(err: Error): void {
    const batch = this.queue;
    this.queue = [];
    for (const pending of batch) pending.reject(err);
  }

  private enqueue<T>(apply: () => Applied<T>): Promise<T> {
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
