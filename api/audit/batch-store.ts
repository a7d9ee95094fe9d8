// Reading and writing audit batches in the Store: head discovery without a head pointer (batch keys are
// contiguous, so the last one is found by probing), pages for verification and export, the anchor and
// the published keys.

import { KeyExistsError, KeyNotFoundError, isStoreError, type Store, type TxnCompare, type TxnOp, type TxnOpResult, type TxnResult } from "../store/store.js";
import { decodeAnchor, decodeBatch, encodeBatch, type Anchor, type BatchRecord, type PublishedKey, type RawBatch } from "../client/audit/batch.js";
import type { BatchSource } from "../client/audit/verify-log.js";
import { ANCHOR_KEY, BATCH_PREFIX, KEYS_PREFIX, batchKey, batchNumberOf } from "./batch-keys.js";

export type { RawBatch };

/**
 * Batches per list call. etcd's gRPC client refuses responses over 4 MiB and a batch is kept under about
 * 0.9 MB (AuditLog's maxBatchBytes), so pages of three stay safe on either backend.
 */
export const BATCH_PAGE = 3;

/** A resource write to commit with a batch. */
export interface GuardedWrite {
  compares: readonly TxnCompare[];
  ops: readonly TxnOp[];
}

export type BatchCommit =
  | { succeeded: true; writes: (TxnResult | undefined)[] }
  | { succeeded: false; batchTaken: boolean; failedWrites: Map<number, TxnResult> };

const revisionOf = (r: TxnOpResult): number => (r.kind === "put" ? r.kv.modRevision : (r.deleted?.revision ?? 0));

export class BatchStore {
  constructor(readonly store: Store) {}

  /** The lowest batch number present, or undefined for an empty log. */
  async firstBatch(): Promise<number | undefined> {
    const page = await this.store.list(BATCH_PREFIX, { limit: 1 });
    const key = page.items[0]?.key;
    return key === undefined ? undefined : batchNumberOf(key);
  }

  /**
   * The highest batch number present. Batches are created only after their predecessor exists and pruned
   * only from the bottom, so the numbers present are one contiguous run: probe upward from `hint` (a batch
   * known to exist) doubling the step, then bisect.
   */
  async lastBatch(hint?: number): Promise<number | undefined> {
    let low = hint !== undefined && (await this.exists(hint)) ? hint : await this.firstBatch();
    if (low === undefined) return undefined;
    let step = 1;
    while (await this.exists(low + step)) {
      low += step;
      step *= 2;
    }
    let high = low + step;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await this.exists(mid)) low = mid;
      else high = mid;
    }
    return low;
  }

  async getRaw(batch: number): Promise<string | undefined> {
    return (await this.store.get(batchKey(batch)))?.value;
  }

  async get(batch: number): Promise<BatchRecord | undefined> {
    const raw = await this.getRaw(batch);
    return raw === undefined ? undefined : decodeBatch(raw, batchKey(batch));
  }

  /** Up to `limit` stored batches after batch `after` (from the first when undefined), verbatim. */
  async page(after: number | undefined, limit: number): Promise<{ items: RawBatch[]; more: boolean }> {
    const result = await this.store.list(BATCH_PREFIX, { limit, ...(after !== undefined && after >= 0 ? { startAfter: batchKey(after) } : {}) });
    const items: RawBatch[] = [];
    for (const kv of result.items) {
      const batch = batchNumberOf(kv.key);
      if (batch !== undefined) items.push({ batch, raw: kv.value });
    }
    return { items, more: result.more };
  }

  /** Every batch from `from` on, in order, parsed. */
  async *batchesFrom(from: number, pageSize = BATCH_PAGE): AsyncGenerator<BatchRecord> {
    let after = from - 1;
    for (;;) {
      const page = await this.page(after, pageSize);
      for (const item of page.items) yield decodeBatch(item.raw, batchKey(item.batch));
      const last = page.items.at(-1);
      if (!page.more || !last) return;
      after = last.batch;
    }
  }

  /** Stores a new batch; false when that batch number is already taken (another writer won it). */
  async create(record: BatchRecord): Promise<boolean> {
    try {
      await this.store.create(batchKey(record.batch), encodeBatch(record));
      return true;
    } catch (err) {
      if (err instanceof KeyExistsError || isStoreError(err, "KeyExists")) return false;
      throw err;
    }
  }

  /**
   * Creates the batch and applies every write with it in one store transaction. When a compare fails,
   * nothing is applied: `batchTaken` says another writer has this batch number, `failedWrites` answers
   * each write whose own compares failed (indexes and revisions local to that write).
   */
  async commit(record: BatchRecord, writes: readonly (GuardedWrite | undefined)[]): Promise<BatchCommit> {
    const compares: TxnCompare[] = [{ key: batchKey(record.batch), absent: true }];
    const ops: TxnOp[] = [{ kind: "put", key: batchKey(record.batch), value: encodeBatch(record) }];
    const spans = writes.map((w) => {
      const span = { compareAt: compares.length, compares: w?.compares.length ?? 0, opAt: ops.length, ops: w?.ops.length ?? 0 };
      if (w) {
        compares.push(...w.compares);
        ops.push(...w.ops);
      }
      return span;
    });
    const result = await this.store.txn(compares, ops);
    if (result.succeeded) {
      return {
        succeeded: true,
        writes: spans.map((span, i): TxnResult | undefined => {
          if (!writes[i]) return undefined;
          const results = result.results.slice(span.opAt, span.opAt + span.ops);
          return { succeeded: true, revision: results.reduce((rev, r) => Math.max(rev, revisionOf(r)), 0) || result.revision, results };
        }),
      };
    }
    const failed = new Set(result.failedCompares);
    const failedWrites = new Map<number, TxnResult>();
    spans.forEach((span, i) => {
      const local: number[] = [];
      for (let k = 0; k < span.compares; k++) if (failed.has(span.compareAt + k)) local.push(k);
      if (local.length > 0)
        failedWrites.set(i, { succeeded: false, revision: result.revision, failedCompares: local, currentModRevisions: result.currentModRevisions.slice(span.compareAt, span.compareAt + span.compares) });
    });
    return { succeeded: false, batchTaken: failed.has(0), failedWrites };
  }

  async delete(batch: number): Promise<void> {
    try {
      await this.store.delete(batchKey(batch));
    } catch (err) {
      if (!(err instanceof KeyNotFoundError) && !isStoreError(err, "KeyNotFound")) throw err;
    }
  }

  async anchor(): Promise<{ anchor: Anchor; raw: string; modRevision: number } | undefined> {
    const kv = await this.store.get(ANCHOR_KEY);
    return kv ? { anchor: decodeAnchor(kv.value), raw: kv.value, modRevision: kv.modRevision } : undefined;
  }

  /** Replaces the anchor if it is still at `expected` (absent: create); false when another server moved it first. */
  async putAnchor(anchor: Anchor, expected: number | undefined): Promise<boolean> {
    try {
      if (expected === undefined) await this.store.create(ANCHOR_KEY, JSON.stringify(anchor));
      else await this.store.update(ANCHOR_KEY, JSON.stringify(anchor), expected);
      return true;
    } catch (err) {
      if (isStoreError(err, "KeyExists") || isStoreError(err, "RevisionConflict") || isStoreError(err, "KeyNotFound")) return false;
      throw err;
    }
  }

  async publishKey(key: PublishedKey): Promise<void> {
    try {
      await this.store.create(`${KEYS_PREFIX}${key.keyId}`, JSON.stringify(key));
    } catch (err) {
      if (!isStoreError(err, "KeyExists")) throw err;
    }
  }

  async publishedKeys(): Promise<PublishedKey[]> {
    const page = await this.store.list(KEYS_PREFIX);
    return page.items.map((kv) => JSON.parse(kv.value) as PublishedKey);
  }

  private async exists(batch: number): Promise<boolean> {
    return (await this.store.get(batchKey(batch))) !== undefined;
  }
}

/** The store as a BatchSource for the verifier. */
export function storeBatchSource(batches: BatchStore, pageSize = BATCH_PAGE): BatchSource {
  return {
    anchor: async () => (await batches.anchor())?.raw,
    async *pages() {
      let after: number | undefined;
      for (;;) {
        const page = await batches.page(after, pageSize);
        if (page.items.length > 0) yield page.items;
        const last = page.items.at(-1);
        if (!page.more || !last) return;
        after = last.batch;
      }
    },
  };
}
