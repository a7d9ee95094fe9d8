// Reading the log for people and the SIEM shipper: filtered queries forward from a time or seq, the last
// N matches backward from the head, and a cursor-driven walk. Batches are found by bisection on their
// seq range or write time, so a query touches only the batches it returns (plus a few probes).

import type { AuditEntry } from "../client/audit/event.js";
import type { BatchRecord } from "../client/audit/batch.js";
import type { BatchStore } from "./batch-store.js";

/** Entries are stamped before their batch is written; servers' clocks may differ by this much. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** Most entries one request examines; a page that hits it returns a continue seq with fewer items. */
export const DEFAULT_SCAN_BUDGET = 200_000;

export interface AuditFilter {
  /** Event types, exact (`auth.login`) or families (`auth.*`); empty means all. */
  types?: readonly string[];
  /** `alice` matches actor `alice` and `user:alice`; `apikey:ak_…` matches that key. */
  user?: string;
  /** Inclusive bounds on the entry's time (ms). */
  since?: number;
  until?: number;
}

export interface AuditQuery extends AuditFilter {
  /** The last N matches (ascending), scanning back from the head; otherwise forward. */
  last?: number;
  /** Forward queries: only entries after this seq (the previous page's continue). */
  afterSeq?: number;
  /** Forward queries: most items per page. */
  limit: number;
  scanBudget?: number;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as afterSeq for the next page; absent when the query is complete. */
  continueAfter?: number;
  /** The log's last seq when the query ran, and its first retained seq. */
  headSeq: number;
  firstSeq: number;
}

export interface LogBounds {
  firstBatch: number;
  lastBatch: number;
  /** Entries up to this seq were pruned (0 when nothing was). */
  prunedThrough: number;
  headSeq: number;
}

export function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.types && filter.types.length > 0 && !filter.types.some((t) => t === entry.type || (t.endsWith(".*") && entry.type.startsWith(t.slice(0, -1))))) return false;
  if (filter.user !== undefined && entry.actor !== filter.user && entry.actor !== `user:${filter.user}`) return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const t = Date.parse(entry.time);
    if (filter.since !== undefined && t < filter.since) return false;
    if (filter.until !== undefined && t > filter.until) return false;
  }
  return true;
}

export class AuditReader {
  constructor(readonly batches: BatchStore) {}

  /** The batches present and the seq range they hold, or undefined for an empty log. */
  async bounds(): Promise<LogBounds | undefined> {
    const firstBatch = await this.batches.firstBatch();
    if (firstBatch === undefined) return undefined;
    const lastBatch = (await this.batches.lastBatch(firstBatch)) ?? firstBatch;
    const last = await this.batches.get(lastBatch);
    const anchor = (await this.batches.anchor())?.anchor;
    return { firstBatch, lastBatch, prunedThrough: anchor?.seq ?? 0, headSeq: last?.lastSeq ?? 0 };
  }

  async query(q: AuditQuery): Promise<AuditPage> {
    const bounds = await this.bounds();
    if (!bounds) return { items: [], headSeq: 0, firstSeq: 1 };
    const base = { headSeq: bounds.headSeq, firstSeq: bounds.prunedThrough + 1 };
    return q.last !== undefined ? { ...base, ...(await this.lastMatches(q, q.last, bounds)) } : { ...base, ...(await this.forward(q, bounds)) };
  }

  /** Entries after `afterSeq`, in order, from the batch that holds afterSeq + 1 on. */
  async *entriesAfter(afterSeq: number, bounds?: LogBounds): AsyncGenerator<AuditEntry> {
    const b = bounds ?? (await this.bounds());
    if (!b) return;
    const from = Math.max(afterSeq, b.prunedThrough);
    const start = await this.batchHolding(from + 1, b);
    if (start === undefined) return;
    for await (const batch of this.batches.batchesFrom(start)) {
      for (const entry of batch.entries) if (entry.seq > from) yield entry;
    }
  }

  /** The first batch whose last seq is at least seq, or undefined when seq is past the head. */
  async batchHolding(seq: number, bounds: LogBounds): Promise<number | undefined> {
    if (seq > bounds.headSeq) return undefined;
    return this.bisect(bounds, (record) => record.lastSeq >= seq);
  }

  private async forward(q: AuditQuery, bounds: LogBounds): Promise<Omit<AuditPage, "headSeq" | "firstSeq">> {
    const after = Math.max(q.afterSeq ?? 0, bounds.prunedThrough);
    let start = await this.batchHolding(after + 1, bounds);
    if (start === undefined) return { items: [] };
    if (q.since !== undefined) start = Math.max(start, await this.bisect(bounds, (record) => Date.parse(record.time) >= q.since! - CLOCK_SKEW_MS));
    const budget = q.scanBudget ?? DEFAULT_SCAN_BUDGET;
    const items: AuditEntry[] = [];
    let scanned = 0;
    let lastScanned = after;
    for await (const batch of this.batches.batchesFrom(start)) {
      const earliest = batch.entries[0];
      if (q.until !== undefined && earliest && Date.parse(earliest.time) > q.until + CLOCK_SKEW_MS) return { items };
      for (const entry of batch.entries) {
        if (entry.seq <= after) continue;
        lastScanned = entry.seq;
        if (matches(entry, q)) {
          items.push(entry);
          if (items.length >= q.limit) return { items, ...(entry.seq < bounds.headSeq ? { continueAfter: entry.seq } : {}) };
        }
        if (++scanned >= budget && entry.seq < bounds.headSeq) return { items, continueAfter: lastScanned };
      }
    }
    return { items };
  }

  private async lastMatches(filter: AuditFilter, n: number, bounds: LogBounds): Promise<Omit<AuditPage, "headSeq" | "firstSeq">> {
    const found: AuditEntry[] = [];
    let batch = bounds.lastBatch;
    if (filter.until !== undefined) batch = Math.min(batch, await this.bisect(bounds, (record) => Date.parse(record.time) > filter.until! + CLOCK_SKEW_MS));
    for (; batch >= bounds.firstBatch && found.length < n; batch--) {
      const record = await this.batches.get(batch);
      if (!record) continue;
      for (let i = record.entries.length - 1; i >= 0 && found.length < n; i--) {
        const entry = record.entries[i]!;
        if (entry.seq > bounds.prunedThrough && matches(entry, filter)) found.push(entry);
      }
      if (filter.since !== undefined && Date.parse(record.time) < filter.since - CLOCK_SKEW_MS) break;
    }
    return { items: found.reverse() };
  }

  /** The first batch in bounds satisfying a monotone predicate (lastBatch + 1… clamped to lastBatch when none). */
  private async bisect(bounds: LogBounds, pred: (record: BatchRecord) => boolean): Promise<number> {
    let low = bounds.firstBatch;
    let high = bounds.lastBatch;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      const record = await this.batches.get(mid);
      if (!record || pred(record)) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
