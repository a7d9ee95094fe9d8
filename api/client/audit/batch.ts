// The audit log's stored form, as the server writes it and any verifier reads it: one batch of entries
// with its checkpoints, the anchor left by retention, the published keys (the server's key layout is in
// api/audit/batch-keys.ts).

import type { Checkpoint } from "./checkpoint.js";
import type { AuditEntry } from "./event.js";

export interface BatchRecord {
  v: 1;
  batch: number;
  /** When the batch was written (RFC 3339, ms): not later than the time of any entry it holds, on that writer's clock. */
  time: string;
  /** The key id (or name) of the server that wrote it. */
  writer: string;
  /** The chain head after this batch: its last entry (or, for a checkpoint-only batch, the head it signs). */
  lastSeq: number;
  lastHash: string;
  entries: AuditEntry[];
  checkpoints: Checkpoint[];
}

/** Where verification resumes once older batches are pruned: a checkpointed entry and its hash. */
export interface Anchor {
  v: 1;
  /** The first batch kept; batches below it are pruned (or about to be). */
  batch: number;
  /** The last pruned entry: the chain resumes at seq + 1 with prevHash = hash. */
  seq: number;
  hash: string;
  /** The signed checkpoint over (seq, hash): absent only when the log is not signed. */
  checkpoint?: Checkpoint;
  /** When pruning happened. */
  prunedAt: string;
}

/** One stored batch, verbatim, with its number. */
export interface RawBatch {
  batch: number;
  raw: string;
}

export interface PublishedKey {
  keyId: string;
  publicKeyPem: string;
  createdAt: string;
}

export const encodeBatch = (record: BatchRecord): string => JSON.stringify(record);

/** Parses a stored batch for reading (queries, export, head discovery); the verifier checks far more. */
export function decodeBatch(raw: string, key: string): BatchRecord {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(`audit batch ${key} is not valid JSON; run \`claw audit verify\` to find the damage`);
  }
  const r = value as Partial<BatchRecord> | null;
  if (!r || typeof r !== "object" || !Array.isArray(r.entries) || typeof r.lastSeq !== "number" || typeof r.batch !== "number")
    throw new Error(`audit batch ${key} is not a batch record; run \`claw audit verify\` to find the damage`);
  return { ...r, checkpoints: Array.isArray(r.checkpoints) ? r.checkpoints : [] } as BatchRecord;
}

export function decodeAnchor(raw: string): Anchor {
  const a = JSON.parse(raw) as Partial<Anchor>;
  if (typeof a.batch !== "number" || typeof a.seq !== "number" || typeof a.hash !== "string") throw new Error(`the audit anchor is malformed; run \`claw audit verify\``);
  return a as Anchor;
}

/** Where a verifier reads a log from: the store directly, or the API page by page. */
export interface BatchSource {
  /** The stored anchor value, if retention has pruned anything. */
  anchor(): Promise<string | undefined>;
  /** Every stored batch in order, a page at a time. */
  pages(): AsyncIterable<RawBatch[]>;
}
