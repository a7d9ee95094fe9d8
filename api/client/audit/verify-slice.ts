// Verifying one slice of the log on its own, for parallel verification: the slice's first batch says
// where the slice claims to start; the caller checks that claim against where the previous slice ended.

import type { KeyObject } from "node:crypto";
import type { RawBatch } from "./batch.js";
import { ChainVerifier, type ChainState, type VerifyReport } from "./chain-verifier.js";

export interface SliceResult {
  /** Where the slice claims to start (undefined when its first batch cannot be read: verify it in order). */
  start?: ChainState;
  end: ChainState;
  report: VerifyReport;
  /** The hash of entry probeSeq, when the slice holds it. */
  probed?: string;
}

/** Where a stored batch says the chain stands before it. */
export function claimedStart(first: RawBatch): ChainState | undefined {
  try {
    const record = JSON.parse(first.raw) as { entries?: { seq?: unknown; prevHash?: unknown }[]; lastSeq?: unknown; lastHash?: unknown };
    const entry = record.entries?.[0];
    if (entry && typeof entry.seq === "number" && typeof entry.prevHash === "string") return { batch: first.batch, seq: entry.seq, prev: entry.prevHash };
    if (record.entries?.length === 0 && typeof record.lastSeq === "number" && typeof record.lastHash === "string") return { batch: first.batch, seq: record.lastSeq + 1, prev: record.lastHash };
  } catch {
    // unreadable: the caller verifies this slice in order
  }
  return undefined;
}

export function verifySlice(batches: readonly RawBatch[], opts: { trustedKeys: ReadonlyMap<string, KeyObject>; checkSignatures: boolean; start: ChainState | undefined; probeSeq?: number }): SliceResult {
  const start = opts.start ?? (batches[0] ? claimedStart(batches[0]) : undefined);
  if (!start) return { end: { batch: -1, seq: -1, prev: "" }, report: emptyReport() };
  const verifier = new ChainVerifier({ trustedKeys: opts.trustedKeys, checkSignatures: opts.checkSignatures, resume: start, ...(opts.probeSeq !== undefined ? { probeSeq: opts.probeSeq } : {}) });
  for (const b of batches) if (!verifier.addBatch(b.batch, b.raw)) break;
  return { start, end: verifier.state(), report: verifier.finish(), ...(verifier.probed ? { probed: verifier.probed } : {}) };
}

const emptyReport = (): VerifyReport => ({ ok: true, entries: 0, firstSeq: 0, lastSeq: 0, batches: 0, checkpoints: 0, unsignedTail: 0, keysUsed: [], notes: [] });
