// Where the audit log lives in the Store. One key per batch of entries, created with `create` (fails if
// present), so the first writer of batch N wins and the chain cannot fork (see audit-log.ts).
//
//   /claw/audit/batches/{batch number, 16 digits}   BatchRecord, JSON
//   /claw/audit/anchor                              Anchor: where the chain resumes after retention pruning
//   /claw/audit/keys/{keyId}                        PublishedKey: every server's checkpoint public key
//   /claw/audit/export/cursor                       the SIEM shipper's durable cursor and lease
//   /claw/audit/alerts/cursor                       the alert webhook's cursor and lease (security.alert only)

import { internalKey } from "../store/keys.js";

export const BATCH_PREFIX = internalKey("audit", "batches/");
export const ANCHOR_KEY = internalKey("audit", "anchor");
export const KEYS_PREFIX = internalKey("audit", "keys/");
export const EXPORT_CURSOR_KEY = internalKey("audit", "export/cursor");
export const ALERT_CURSOR_KEY = internalKey("audit", "alerts/cursor");

const DIGITS = 16;

export const batchKey = (batch: number): string => `${BATCH_PREFIX}${String(batch).padStart(DIGITS, "0")}`;

/** The batch number of a batch key, or undefined for any other key. */
export function batchNumberOf(key: string): number | undefined {
  if (!key.startsWith(BATCH_PREFIX)) return undefined;
  const digits = key.slice(BATCH_PREFIX.length);
  return /^\d{16}$/.test(digits) ? Number(digits) : undefined;
}

