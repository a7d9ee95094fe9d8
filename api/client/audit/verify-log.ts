// Verifying a whole log from wherever its batches come from: the store directly (forensics on a data
// dir or etcd) or the API (`claw audit verify`, page by page).

import type { KeyObject } from "node:crypto";
import { decodeAnchor, type Anchor, type BatchSource } from "./batch.js";

import { ChainVerifier, type VerifyReport, type Witness } from "./chain-verifier.js";
import { parallelAvailable, verifyLogParallel } from "./verify-parallel.js";

export type { BatchSource };

export interface VerifyLogOptions {
  trustedKeys: ReadonlyMap<string, KeyObject>;
  checkSignatures: boolean;
  witness?: Witness;
  /** Called after each page with the last seq verified so far (progress). */
  onProgress?: (lastSeq: number) => void;
  /** Verify on worker threads when the compiled worker is available (dist/); in order otherwise. */
  parallel?: { workers?: number; workerUrl?: URL; sliceBatches?: number };
}

export async function verifyLog(source: BatchSource, opts: VerifyLogOptions): Promise<VerifyReport> {
  if (opts.parallel && parallelAvailable(opts.parallel.workerUrl)) {
    const { parallel, ...rest } = opts;
    return verifyLogParallel(source, { ...rest, ...parallel });
  }
  const anchorRaw = await source.anchor();
  let anchor: Anchor | undefined;
  if (anchorRaw !== undefined) {
    try {
      anchor = decodeAnchor(anchorRaw);
    } catch (err) {
      return failedBefore(`the anchor is malformed: ${(err as Error).message}`);
    }
  }
  const verifier = new ChainVerifier({ trustedKeys: opts.trustedKeys, checkSignatures: opts.checkSignatures, ...(anchor ? { anchor } : {}), ...(opts.witness ? { witness: opts.witness } : {}) });
  for await (const page of source.pages()) {
    for (const item of page) {
      if (!verifier.addBatch(item.batch, item.raw)) return verifier.finish();
    }
    opts.onProgress?.(verifier.lastVerifiedSeq);
  }
  return verifier.finish();
}

const failedBefore = (reason: string): VerifyReport => ({
  ok: false,
  failure: { seq: 1, reason },
  entries: 0,
  firstSeq: 1,
  lastSeq: 0,
  batches: 0,
  checkpoints: 0,
  unsignedTail: 0,
  keysUsed: [],
  notes: [],
});
