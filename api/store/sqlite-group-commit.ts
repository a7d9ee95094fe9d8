// Group commit for the embedded store: writes issued in the same turn of the event loop are applied
// in ONE transaction (one fsync), then each is resolved or rejected on its own. A failed
// compare-and-swap in a batch fails only that write; a failed transaction fails the whole batch.

import type { KeyValue, WatchEvent } from "./store.js";
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreError, StoreUnavailableError } from "./store.js";
import { describeSqliteError, readRevision, type Db, type RevisionRow } from "./sqlite-schema.js";
import type { SqliteQueries } from "./sqlite-queries.js";

export type WriteOp =
  | { kind: "create"; key: string; value: string }
  | { kind: "update"; key: string; value: string; expected: number }
  | { kind: "delete"; key: string; expected: number | undefined };

export type WriteResult = { kv: KeyValue; revision: number };

interface Pending {
  op: WriteOp;
  resolve: (result: WriteResult) => void;
  reject: (err: Error) => void;
}

type Outcome = { ok: true; result: WriteResult; event: WatchEvent } | { ok: false; error: StoreError };

export interface GroupCommitOptions {
  db: Db;
  queries: SqliteQueries;
  /** Called synchronously after each commit with the batch's events in revision order. */
  onCommit: (events: WatchEvent[]) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  /** The last committed revision. */
  revision: number;
  /** Transactions committed and writes submitted so far (for metrics and the group-commit test). */
  readonly stats = { commits: 0, writes: 0 };

  constructor(private readonly options: GroupCommitOptions) {
    this.revision = readRevision(options.db);
  }

  submit(op: WriteOp): Promise<WriteResult> {
    this.stats.writes++;
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: it runs after the event loop has taken every ready request,
        // so concurrent writers arriving on separate sockets share one fsync.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also called by close so no acknowledged-to-be write is dropped). */
  flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    if (batch.length === 0) return;
    const before = this.revision;
    const outcomes: Outcome[] = [];
    try {
      this.options.db.transaction(() => {
        for (const pending of batch) outcomes.push(this.apply(pending.op));
      })();
      this.stats.commits++;
    } catch (err) {
      this.revision = before;
      const error = new StoreUnavailableError(`the SQLite store could not commit ${batch.length} write(s): ${describeSqliteError(err)}`);
      for (const pending of batch) pending.reject(error);
      return;
    }
    const events: WatchEvent[] = [];
    for (const outcome of outcomes) if (outcome.ok) events.push(outcome.event);
    if (events.length > 0) this.options.onCommit(events);
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) pending.resolve(outcome.result);
      else pending.reject(outcome?.error ?? new StoreUnavailableError("write was not applied"));
    });
  }

  /** Fails every queued write (the store is closing without a usable database). */
  rejectQueued(err: Error): void {
    const batch = this.queue;
    this.queue = [];
    for (const pending of batch) pending.reject(err);
  }

  private apply(op: WriteOp): Outcome {
    const latest = this.options.queries.latest(op.key);
    const live = latest && latest.deleted === 0 ? latest : undefined;
    if (op.kind === "create") {
      if (live) return { ok: false, error: new KeyExistsError(op.key) };
      const row = this.append({ name: op.key, value: op.value, create_revision: 0, prev_revision: 0, deleted: 0 });
      const kv = toKeyValue(row);
      return { ok: true, result: { kv, revision: row.id }, event: { type: "put", kv } };
    }
    if (!live) return { ok: false, error: new KeyNotFoundError(op.key) };
    if (op.expected !== undefined && op.expected !== live.id) {
      return { ok: false, error: new RevisionConflictError(op.key, op.expected, live.id) };
    }
    const prevKv = toKeyValue(live);
    if (op.kind === "update") {
      const row = this.append({ name: op.key, value: op.value, create_revision: live.create_revision, prev_revision: live.id, deleted: 0 });
      const kv = toKeyValue(row);
      return { ok: true, result: { kv, revision: row.id }, event: { type: "put", kv, prevKv } };
    }
    // A tombstone keeps the deleted value, so watch replay can report what was deleted.
    const row = this.append({ name: op.key, value: live.value, create_revision: live.create_revision, prev_revision: live.id, deleted: 1 });
    return { ok: true, result: { kv: prevKv, revision: row.id }, event: { type: "delete", kv: toKeyValue(row) } };
  }

  private append(fields: Omit<RevisionRow, "id">): RevisionRow {
    const id = this.revision + 1;
    const row: RevisionRow = { ...fields, id, create_revision: fields.create_revision || id };
    this.options.queries.insert(row);
    this.revision = id;
    return row;
  }
}

export const toKeyValue = (row: Pick<RevisionRow, "id" | "name" | "value" | "create_revision">): KeyValue => ({
  key: row.name,
  value: row.value,
  createRevision: row.create_revision,
  modRevision: row.id,
});
