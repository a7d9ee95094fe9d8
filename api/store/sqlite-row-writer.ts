// The one place the embedded store turns a write into a row of `revisions`, its KeyValue and its
// watch event. Used inside a group-commit transaction; each row takes the next revision.

import type { KeyValue, WatchEvent } from "./store.js";
import { toKeyValue, type RevisionRow } from "./sqlite-schema.js";
import type { SqliteQueries } from "./sqlite-queries.js";

export interface PutWritten {
  kv: KeyValue;
  /** The value replaced, absent when the put created the key. */
  prevKv?: KeyValue;
  event: WatchEvent;
}

export interface DeleteWritten {
  /** The last value before the delete. */
  kv: KeyValue;
  /** The delete's revision. */
  revision: number;
  event: WatchEvent;
}

export class RowWriter {
  constructor(
    private readonly queries: SqliteQueries,
    /** The last assigned revision; the group commit winds it back when a transaction rolls back. */
    public revision: number,
  ) {}

  /** The key's newest row when it is live; undefined when the key was never written or is deleted. */
  live(key: string): RevisionRow | undefined {
    const latest = this.queries.latest(key);
    return latest && latest.deleted === 0 ? latest : undefined;
  }

  /** Writes a key: a create when `live` is undefined, else an update that keeps its createRevision. */
  put(key: string, value: string, live: RevisionRow | undefined): PutWritten {
    const row = this.append({ name: key, value, create_revision: live?.create_revision ?? 0, prev_revision: live?.id ?? 0, deleted: 0 });
    const kv = toKeyValue(row);
    if (!live) return { kv, event: { type: "put", kv } };
    const prevKv = toKeyValue(live);
    return { kv, prevKv, event: { type: "put", kv, prevKv } };
  }

  /** Deletes a live key. The tombstone keeps the deleted value, so watch replay can report it. */
  remove(live: RevisionRow): DeleteWritten {
    const row = this.append({ name: live.name, value: live.value, create_revision: live.create_revision, prev_revision: live.id, deleted: 1 });
    return { kv: toKeyValue(live), revision: row.id, event: { type: "delete", kv: toKeyValue(row) } };
  }

  private append(fields: Omit<RevisionRow, "id">): RevisionRow {
    const id = this.revision + 1;
    const row: RevisionRow = { ...fields, id, create_revision: fields.create_revision || id };
    this.queries.insert(row);
    this.revision = id;
    return row;
  }
}
