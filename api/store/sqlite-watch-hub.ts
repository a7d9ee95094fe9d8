// Watch fan-out for the embedded store. This process is the only writer, so events are delivered
// in-process right after each commit. A watch from an older revision first replays the table, then
// turns live in the same synchronous step, so no commit can fall between replay and live delivery.

import type { StoreWatch, WatchEvent, WatchOptions } from "./store.js";
import { CompactedError, StoreUnavailableError } from "./store.js";
import { describeSqliteError, toKeyValue } from "./sqlite-schema.js";
import type { HistoryRow, SqliteQueries } from "./sqlite-queries.js";
import { prefixEnd } from "./sqlite-queries.js";

const REPLAY_PAGE = 512;

export interface WatchHubSource {
  queries: SqliteQueries;
  /** The last committed revision. */
  revision(): number;
  /** The last compacted revision (0 when never compacted). */
  compacted(): number;
}

interface Watcher {
  prefix: string;
  /** First revision still to deliver. */
  from: number;
  live: boolean;
  closed: boolean;
  options: WatchOptions;
}

export class SqliteWatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly source: WatchHubSource) {}

  watch(prefix: string, options: WatchOptions): StoreWatch {
    const watcher: Watcher = { prefix, from: options.fromRevision, live: false, closed: false, options };
    this.watchers.add(watcher);
    // Replay after watch() returns, so the caller holds its StoreWatch before the first callback.
    queueMicrotask(() => this.start(watcher));
    return {
      close: () => {
        watcher.closed = true;
        this.watchers.delete(watcher);
      },
    };
  }

  /** Delivers committed events (revision order) to live watchers. */
  dispatch(events: WatchEvent[]): void {
    for (const watcher of this.watchers) {
      if (!watcher.live || watcher.closed) continue;
      const matching = events.filter((e) => e.kv.modRevision >= watcher.from && e.kv.key.startsWith(watcher.prefix));
      if (matching.length > 0) this.deliver(watcher, matching);
    }
  }

  /** Ends every watch with an error (store closing). */
  failAll(err: Error): void {
    for (const watcher of [...this.watchers]) this.fail(watcher, err);
  }

  private start(watcher: Watcher): void {
    if (watcher.closed) return;
    const current = this.source.revision();
    // Like etcd's start_revision 0: no history, only what happens from now on.
    if (watcher.from < 1) watcher.from = current + 1;
    const compacted = this.source.compacted();
    if (watcher.from <= compacted) {
      this.fail(watcher, new CompactedError(watcher.from, compacted));
      return;
    }
    try {
      this.replay(watcher, current);
    } catch (err) {
      this.fail(watcher, new StoreUnavailableError(`the SQLite store could not replay history: ${describeSqliteError(err)}`));
      return;
    }
    watcher.from = Math.max(watcher.from, current + 1);
    watcher.live = true;
  }

  private replay(watcher: Watcher, current: number): void {
    const end = prefixEnd(watcher.prefix);
    let next = watcher.from;
    while (next <= current && !watcher.closed) {
      const rows = this.source.queries.history({ start: watcher.prefix, end, fromRevision: next, toRevision: current, limit: REPLAY_PAGE });
      if (rows.length === 0) return;
      this.deliver(watcher, rows.map(toEvent));
      next = (rows[rows.length - 1]?.id ?? current) + 1;
      if (rows.length < REPLAY_PAGE) return;
    }
  }

  private deliver(watcher: Watcher, events: WatchEvent[]): void {
    if (watcher.closed) return;
    try {
      watcher.options.onEvents(events);
    } catch (err) {
      // A consumer that throws ends its own watch; it must not break the commit that notified it.
      this.fail(watcher, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(watcher: Watcher, err: Error): void {
    if (watcher.closed) return;
    watcher.closed = true;
    this.watchers.delete(watcher);
    try {
      watcher.options.onError(err);
    } catch (callbackErr) {
      process.nextTick(() => {
        throw callbackErr;
      });
    }
  }
}

function toEvent(row: HistoryRow): WatchEvent {
  const kv = toKeyValue(row);
  if (row.deleted === 1) return { type: "delete", kv };
  if (row.prev_id === null || row.prev_deleted !== 0 || row.prev_value === null || row.prev_create_revision === null) {
    return { type: "put", kv };
  }
  return { type: "put", kv, prevKv: { key: row.name, value: row.prev_value, createRevision: row.prev_create_revision, modRevision: row.prev_id } };
}
