// The storage unit: one Store key per batch of entries, created with `create` (fails if present), so the
// first writer of batch N wins and the chain cannot fork (see audit-log.ts for the whole design).
//
//   /claw/audit/batches/{batch number, 16 digits}   BatchRecord, JSON
//   /claw/audit/anchor                              Anchor: where the chain resumes after retention pruning
//   /claw/audit/keys/{keyId}                        PublishedKey: every server's checkpoint public key
//   /claw/audit/export/cursor                       the SIEM shipper's durable cursor and lease

import { internalKey } from "../store/keys.js";
import type { Checkpoint } from "./checkpoint.js";
import type { AuditEntry } from "./event.js";

export const BATCH_PREFIX = internalKey("audit", "batches/");
export const ANCHOR_KEY = internalKey("audit", "anchor");
export const KEYS_PREFIX = internalKey("audit", "keys/");
export const EXPORT_CURSOR_KEY = internalKey("audit", "export/cursor");

const DIGITS = 16;

export const batchKey = (batch: number): string => `${BATCH_PREFIX}${String(batch).padStart(DIGITS, "0")}`;

/** The batch number of a batch key, or undefined for any other key. */
export function batchNumberOf(key: string): number | undefined {
  if (!key.startsWith(BATCH_PREFIX)) return undefined;
  const digits = key.slice(BATCH_PREFIX.length);
  return /^\d{16}$/.test(digits) ? Number(digits) : undefined;
}

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
  if (typeof a.batch !== "number" || typeof a.seq !== "number" || typeof a.hash !== "string") throw new Error(`the audit anchor ${ANCHOR_KEY} is malformed; run \`claw audit verify\``);
  return a as Anchor;
}
