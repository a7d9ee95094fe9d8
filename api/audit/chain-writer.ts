// Writes batches onto the chain, one at a time per server, retrying onto the winner's head when another
// server took the batch number first (see audit-log.ts for the storage design). A submission may carry a
// resource write (compares and ops): the batch and every write waiting with it commit in ONE store
// transaction, so an entry exists exactly when its write does. When a write's own compare fails, only
// that write is answered (with its compare's outcome) and the rest are retried without it.

import type { Clock } from "../machinery/clock.js";
import type { AuditConfig } from "./audit-config.js";
import type { BatchRecord } from "../client/audit/batch.js";
import type { BatchStore, GuardedWrite } from "./batch-store.js";
import { buildBatch, headAfter, type ChainHead, type PendingEntry } from "./chain-builder.js";
import type { CheckpointSigner } from "../client/audit/checkpoint.js";
import { GENESIS_HASH } from "../client/audit/entry-hash.js";
import { isStoreError, TXN_MAX_OPS, type TxnResult } from "../store/store.js";

/** The entry could not be made durable; the message says why. */
export class AuditUnavailableError extends Error {
  override name = "AuditUnavailableError";
}

/** The result of an append: the entry's seq, or undefined when the log is disabled or the type excluded. */
export interface AppendResult {
  seq: number | undefined;
}

/** The outcome of a submission: its entries' seqs and, for a write, the transaction as it concerns that write alone. */
export interface CommitResult {
  seqs: number[];
  txn?: TxnResult;
}

export interface ChainWriterStats {
  appended: number;
  batches: number;
  checkpoints: number;
  conflicts: number;
  failures: number;
}

export interface ChainWriterOptions {
  batches: BatchStore;
  clock: Clock;
  config: AuditConfig;
  /** Present only when checkpoints are signed. */
  signer?: CheckpointSigner;
  writer: string;
  maxEntries: number;
  maxBytes: number;
  maxConflicts: number;
  onWritten: (record: BatchRecord) => void;
  onFailed: (err: Error) => void;
}

interface Pending {
  entries: PendingEntry[];
  write?: GuardedWrite;
  size: number;
  resolve: (result: CommitResult) => void;
  reject: (err: Error) => void;
}

/** One transaction carries the batch key plus the writes: etcd's limit on ops counts them all. */
const MAX_WRITE_OPS = TXN_MAX_OPS - 1;

export class ChainWriter {
  readonly stats: ChainWriterStats = { appended: 0, batches: 0, checkpoints: 0, conflicts: 0, failures: 0 };
  /** The head as this server last wrote or read it; undefined when it must be read again. */
  head: ChainHead | undefined;
  private queue: Pending[] = [];
  private scheduled = false;
  private draining: Promise<void> | undefined;
  private checkpointWanted = false;
  private lastBatchSeen: number | undefined;

  constructor(private readonly opts: ChainWriterOptions) {}

  /** Whether a write is in flight or queued. */
  get busy(): boolean {
    return this.draining !== undefined || this.queue.length > 0;
  }

  submit(entry: PendingEntry): Promise<AppendResult> {
    return this.commit([entry]).then((r) => ({ seq: r.seqs[0] }));
  }

  /** Appends `entries` and applies `write` (if any) in one store transaction. */
  commit(entries: PendingEntry[], write?: GuardedWrite): Promise<CommitResult> {
    const size = entries.reduce((n, e) => n + JSON.stringify(e).length + 200, 0) + (write ? write.ops.reduce((n, op) => n + op.key.length + (op.kind === "put" ? op.value.length : 0), 0) : 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, ...(write ? { write } : {}), size, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate, as the store's group commit: every request ready in this turn joins the batch.
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  /** Writes a checkpoint-only batch if the head is not signed yet (by anyone). */
  signHead(): Promise<void> {
    this.checkpointWanted = true;
    return this.drain();
  }

  /** Writes batches until the queue is empty; one drain at a time keeps this server's batches in order. */
  drain(): Promise<void> {
    if (!this.draining) {
      const run = this.drainQueue();
      this.draining = run;
      const clear = () => {
        if (this.draining === run) this.draining = undefined;
      };
      void run.then(clear, clear);
    }
    return this.draining;
  }

  /** Reads the chain head from the store: the last batch, or the anchor/genesis for an empty log. */
  async refreshHead(hint?: number): Promise<ChainHead> {
    const known = { signedSeq: this.head?.signedSeq ?? 0, lastCheckpointAt: this.head?.lastCheckpointAt ?? 0 };
    const { batches } = this.opts;
    const last = await batches.lastBatch(hint ?? this.lastBatchSeen);
    const record = last === undefined ? undefined : await batches.get(last);
    let head: ChainHead;
    if (record) head = headAfter(record, known);
    else {
      const anchor = (await batches.anchor())?.anchor;
      head = anchor
        ? { batch: anchor.batch - 1, seq: anchor.seq, hash: anchor.hash, signedSeq: anchor.seq, lastCheckpointAt: known.lastCheckpointAt }
        : { batch: 0, seq: 0, hash: GENESIS_HASH, signedSeq: 0, lastCheckpointAt: known.lastCheckpointAt };
    }
    this.head = head;
    this.lastBatchSeen = head.batch > 0 ? head.batch : undefined;
    return head;
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0 || this.checkpointWanted) {
      const take = this.take();
      if (take.length === 0) this.checkpointWanted = false;
      await this.write(take);
    }
  }

  private take(): Pending[] {
    let bytes = 0;
    let entries = 0;
    let ops = 0;
    let compares = 0;
    let count = 0;
    // A transaction writes each key once: a second write of a key waits for the next batch (and then meets its compare).
    const keys = new Set<string>();
    while (count < this.queue.length) {
      const next = this.queue[count]!;
      const nextOps = next.write?.ops.length ?? 0;
      const nextCompares = next.write?.compares.length ?? 0;
      const overlaps = next.write?.ops.some((op) => keys.has(op.key)) ?? false;
      if (count > 0 && (overlaps || bytes + next.size > this.opts.maxBytes || entries + next.entries.length > this.opts.maxEntries || ops + nextOps > MAX_WRITE_OPS || compares + nextCompares > MAX_WRITE_OPS)) break;
      for (const op of next.write?.ops ?? []) keys.add(op.key);
      bytes += next.size;
      entries += next.entries.length;
      ops += nextOps;
      compares += nextCompares;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async write(take: Pending[]): Promise<void> {
    const { config, signer } = this.opts;
    let pending = take;
    try {
      for (let conflicts = 0; ; ) {
        const head = this.head ?? (await this.refreshHead());
        const entries = pending.flatMap((p) => p.entries);
        // A checkpoint-only batch is pointless once the head is signed (perhaps by another server).
        if (pending.length === 0 && (!signer || head.seq <= head.signedSeq || head.seq === 0)) return;
        const built = buildBatch({
          head,
          entries,
          nowMs: this.opts.clock.now(),
          writer: this.opts.writer,
          hashChain: config.hashChain,
          ...(signer ? { signer } : {}),
          checkpointEvery: config.checkpointEvery,
          checkpointIntervalMs: config.checkpointIntervalMs,
        });
        const outcome = await this.opts.batches.commit(built.record, pending.map((p) => p.write));
        if (outcome.succeeded) {
          this.head = built.head;
          this.lastBatchSeen = built.head.batch;
          this.stats.batches++;
          this.stats.appended += entries.length;
          this.stats.checkpoints += built.record.checkpoints.length;
          let next = 0;
          pending.forEach((p, i) => {
            const seqs = p.entries.map((_, k) => built.record.entries[next + k]!.seq);
            next += p.entries.length;
            p.resolve({ seqs, ...(outcome.writes[i] ? { txn: outcome.writes[i] } : {}) });
          });
          this.opts.onWritten(built.record);
          return;
        }
        // Writes whose own compares failed are answered now, without entries; the rest go again.
        const failed = new Set(outcome.failedWrites.keys());
        for (const [i, result] of outcome.failedWrites) pending[i]!.resolve({ seqs: [], txn: result });
        pending = pending.filter((_, i) => !failed.has(i));
        if (pending.length === 0 && take.length > 0) return;
        if (!outcome.batchTaken) continue;
        this.stats.conflicts++;
        if (++conflicts >= this.opts.maxConflicts) throw new AuditUnavailableError(`batch ${built.record.batch} was taken by another server ${this.opts.maxConflicts} times in a row`);
        await this.refreshHead(built.record.batch);
      }
    } catch (err) {
      // A write the store refuses as such (too large, malformed) is that write's failure alone, not the log's.
      if (isStoreError(err, "TooLarge") || err instanceof RangeError) {
        for (const p of pending) p.reject(err as Error);
        return;
      }
      // The write may or may not have landed (a timeout after commit): read the head again before the next.
      this.head = undefined;
      this.stats.failures++;
      const error = err instanceof AuditUnavailableError ? err : new AuditUnavailableError(`the audit log could not be written: ${(err as Error).message}`);
      this.opts.onFailed(error);
      for (const p of pending) p.reject(error);
    }
  }
}
