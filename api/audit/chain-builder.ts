// Builds the next batch from the chain head and the events waiting: numbers them, links them (prevHash,
// hash) and signs checkpoints. Pure: the writer rebuilds from a fresh head when another server won the batch.

import type { Checkpoint, CheckpointSigner } from "../client/audit/checkpoint.js";
import { entryHash, GENESIS_HASH } from "../client/audit/entry-hash.js";
import type { AuditEntry } from "../client/audit/event.js";
import type { BatchRecord } from "../client/audit/batch.js";
import { auditTime } from "../client/audit/event.js";

/** The chain as a writer last saw it. */
export interface ChainHead {
  /** The last batch number written (0 before the first; batch numbers start at 1). */
  batch: number;
  /** The last entry's seq (0 before the first). */
  seq: number;
  hash: string;
  /** The highest seq covered by a checkpoint, as far as this writer knows. */
  signedSeq: number;
  /** When this writer last saw or made a checkpoint (ms). */
  lastCheckpointAt: number;
}

export type PendingEntry = Omit<AuditEntry, "seq" | "prevHash" | "hash">;

export interface BuildOptions {
  head: ChainHead;
  entries: readonly PendingEntry[];
  nowMs: number;
  writer: string;
  hashChain: boolean;
  signer?: CheckpointSigner;
  /** Sign every entry whose seq is a multiple of this. */
  checkpointEvery: number;
  /** Also sign the batch's last entry when the last checkpoint is at least this old. */
  checkpointIntervalMs: number;
}

export interface BuiltBatch {
  record: BatchRecord;
  head: ChainHead;
}

export function buildBatch(opts: BuildOptions): BuiltBatch {
  const { head, signer } = opts;
  const time = auditTime(opts.nowMs);
  const entries: AuditEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  let prev = head.hash || GENESIS_HASH;
  let seq = head.seq;
  for (const pending of opts.entries) {
    seq++;
    // Members in canonical (sorted) order, `hash` last: the stored text is the hashed text plus the hash.
    const entry = {
      actor: pending.actor,
      details: pending.details,
      outcome: pending.outcome,
      ...(opts.hashChain ? { prevHash: prev } : {}),
      resource: pending.resource,
      seq,
      sourceIp: pending.sourceIp,
      time: pending.time,
      type: pending.type,
    } as AuditEntry;
    if (opts.hashChain) {
      entry.hash = entryHash(entry);
      prev = entry.hash;
    }
    entries.push(entry);
    if (signer && opts.hashChain && seq % opts.checkpointEvery === 0) checkpoints.push(signer.sign({ seq, hash: prev, time }));
  }
  const lastSigned = checkpoints.at(-1)?.seq ?? head.signedSeq;
  const due = opts.nowMs - head.lastCheckpointAt >= opts.checkpointIntervalMs || opts.entries.length === 0;
  if (signer && opts.hashChain && seq > 0 && lastSigned < seq && due) checkpoints.push(signer.sign({ seq, hash: prev, time }));
  const record: BatchRecord = { v: 1, batch: head.batch + 1, time, writer: opts.writer, lastSeq: seq, lastHash: opts.hashChain ? prev : "", entries, checkpoints };
  return {
    record,
    head: {
      batch: record.batch,
      seq,
      hash: record.lastHash,
      signedSeq: checkpoints.at(-1)?.seq ?? head.signedSeq,
      lastCheckpointAt: checkpoints.length > 0 ? opts.nowMs : head.lastCheckpointAt,
    },
  };
}

/** The head a stored batch leaves behind (read after another writer won, or at start). */
export function headAfter(record: BatchRecord, known: Pick<ChainHead, "signedSeq" | "lastCheckpointAt">): ChainHead {
  const last = record.checkpoints.at(-1);
  return {
    batch: record.batch,
    seq: record.lastSeq,
    hash: record.lastHash,
    signedSeq: Math.max(known.signedSeq, last?.seq ?? 0),
    lastCheckpointAt: last ? Math.max(known.lastCheckpointAt, Date.parse(last.time) || 0) : known.lastCheckpointAt,
  };
}
