// Verification on several cores: the log is cut into slices of consecutive batches; worker threads verify
// each slice from where its first batch claims the chain stands, and this thread checks every claim
// against where the previous slice really ended (a slice whose claim is wrong is re-verified here, in
// order, which names its first bad entry exactly as the sequential verifier would). The first slice,
// which holds the anchor, is verified here too. Reading the store stays on this thread.

import type { KeyObject } from "node:crypto";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { decodeAnchor, type Anchor } from "./batch.js";
import type { BatchSource, RawBatch } from "./batch.js";
import { ChainVerifier, type ChainState, type VerifyReport, type Witness } from "./chain-verifier.js";

import { verifySlice, type SliceResult } from "./verify-slice.js";

export interface ParallelOptions {
  trustedKeys: ReadonlyMap<string, KeyObject>;
  checkSignatures: boolean;
  witness?: Witness;
  onProgress?: (lastSeq: number) => void;
  workers?: number;
  /** The compiled worker module (default: verify-worker.js beside this file). */
  workerUrl?: URL;
  sliceBatches?: number;
}

export const defaultWorkerUrl = (): URL => new URL("./verify-worker.js", import.meta.url);

/** Whether the compiled worker exists (it does in dist/; not when running the TypeScript sources). */
export const parallelAvailable = (url = defaultWorkerUrl()): boolean => url.protocol === "file:" && existsSync(fileURLToPath(url));

export async function verifyLogParallel(source: BatchSource, opts: ParallelOptions): Promise<VerifyReport> {
  const anchorRaw = await source.anchor();
  const anchor: Anchor | undefined = anchorRaw !== undefined ? decodeAnchor(anchorRaw) : undefined;
  const keysPem = [...opts.trustedKeys.values()].map((k) => k.export({ type: "spki", format: "pem" }).toString()).join("\n");
  const count = Math.max(1, opts.workers ?? Math.min(4, availableParallelism()));
  const workers = Array.from({ length: count }, () => new Worker(opts.workerUrl ?? defaultWorkerUrl(), { workerData: { keysPem, checkSignatures: opts.checkSignatures } }));
  const waiting = new Map<number, { resolve: (r: SliceResult) => void; reject: (err: Error) => void }>();
  let broken: Error | undefined;
  const breakAll = (err: Error) => {
    broken ??= err;
    for (const w of waiting.values()) w.reject(broken);
    waiting.clear();
  };
  for (const w of workers) {
    w.on("message", (m: { id: number; result: SliceResult }) => {
      waiting.get(m.id)?.resolve(m.result);
      waiting.delete(m.id);
    });
    w.on("error", breakAll);
    w.on("exit", (code) => code !== 0 && breakAll(new Error(`a verification worker exited with code ${code}`)));
  }
  const sliceSize = opts.sliceBatches ?? 16;
  const merged = new Merge(opts, anchor);
  const inFlight: { batches: RawBatch[]; result: Promise<SliceResult> }[] = [];
  let sent = 0;
  const send = (batches: RawBatch[]) => {
    const id = sent++;
    if (id === 0) {
      // The first slice holds the anchor (and any batches an interrupted prune left below it): here, in order.
      inFlight.push({ batches, result: Promise.resolve(merged.verifyFirst(batches)) });
      return;
    }
    const result = new Promise<SliceResult>((resolve, reject) => {
      if (broken) return reject(broken);
      waiting.set(id, { resolve, reject });
    });
    workers[id % count]!.postMessage({ id, batches, ...(opts.witness ? { probeSeq: opts.witness.seq } : {}) });
    inFlight.push({ batches, result });
  };
  const settleOne = async (): Promise<boolean> => {
    const slice = inFlight.shift()!;
    return merged.add(slice.batches, await slice.result);
  };
  try {
    let pending: RawBatch[] = [];
    outer: for await (const page of source.pages()) {
      pending.push(...page);
      while (pending.length >= sliceSize) {
        send(pending.splice(0, sliceSize));
        while (inFlight.length > count * 2) if (!(await settleOne())) break outer;
      }
    }
    if (!merged.failed && pending.length > 0) send(pending);
    pending = [];
    while (inFlight.length > 0 && !merged.failed) await settleOne();
    return merged.finish();
  } finally {
    for (const w of workers) w.removeAllListeners("exit");
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Folds slice results, in order, into one report. */
class Merge {
  private state: ChainState | undefined;
  private report: VerifyReport | undefined;
  private failure: VerifyReport["failure"];
  private readonly keys = new Set<string>();
  private witnessSeen = false;

  constructor(
    private readonly opts: ParallelOptions,
    private readonly anchor: Anchor | undefined,
  ) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  verifyFirst(batches: RawBatch[]): SliceResult {
    const v = new ChainVerifier({ trustedKeys: this.opts.trustedKeys, checkSignatures: this.opts.checkSignatures, ...(this.anchor ? { anchor: this.anchor } : {}), ...(this.opts.witness ? { probeSeq: this.opts.witness.seq } : {}) });
    for (const b of batches) if (!v.addBatch(b.batch, b.raw)) break;
    const start = this.anchor ? { batch: this.anchor.batch, seq: this.anchor.seq + 1, prev: this.anchor.hash } : { batch: 1, seq: 1, prev: "" };
    this.state = start; // the first slice's start is the truth by definition
    return { start, end: v.state(), report: v.finish(), ...(v.probed ? { probed: v.probed } : {}) };
  }

  /** Adds the next slice; false once the log is known bad. */
  add(batches: RawBatch[], result: SliceResult): boolean {
    let r = result;
    const s = this.state!;
    if (this.report && (!r.start || r.start.batch !== s.batch || r.start.seq !== s.seq || r.start.prev !== s.prev)) {
      // The slice claims to start elsewhere than the previous one ended: verify it in order from the truth.
      r = verifySlice(batches, { trustedKeys: this.opts.trustedKeys, checkSignatures: this.opts.checkSignatures, start: s, ...(this.opts.witness ? { probeSeq: this.opts.witness.seq } : {}) });
    }
    const w = this.opts.witness;
    if (w && r.probed !== undefined) {
      this.witnessSeen = true;
      if (r.probed !== w.hash) this.failure = { seq: w.seq, reason: `entry ${w.seq} differs from the entry your witness file recorded at that seq: the log was rewritten` };
    }
    this.accumulate(r.report);
    this.state = r.end;
    if (!this.failure && !r.report.ok) this.failure = r.report.failure;
    this.opts.onProgress?.(r.end.seq - 1);
    return !this.failure;
  }

  finish(): VerifyReport {
    const base = this.report ?? { ok: true, entries: 0, firstSeq: this.anchor ? this.anchor.seq + 1 : 1, lastSeq: this.anchor?.seq ?? 0, batches: 0, checkpoints: 0, unsignedTail: 0, keysUsed: [], notes: [] };
    const lastSeq = this.failure ? base.lastSeq : (this.state?.seq ?? base.firstSeq) - 1;
    const w = this.opts.witness;
    if (!this.failure && w && !this.witnessSeen) {
      if (lastSeq < w.seq) this.failure = { seq: lastSeq + 1, reason: `entries ${lastSeq + 1}–${w.seq} are missing: the log ends at entry ${lastSeq}, but your witness file holds a checkpoint over entry ${w.seq} (the log was truncated)` };
      else base.notes.push(`the witnessed entry ${w.seq} was pruned by retention; the log was checked from the anchor at entry ${base.firstSeq - 1}`);
    }
    return {
      ...base,
      ok: !this.failure,
      ...(this.failure ? { failure: this.failure } : {}),
      lastSeq,
      unsignedTail: lastSeq - Math.max(base.lastCheckpoint?.seq ?? 0, base.firstSeq - 1),
      keysUsed: [...this.keys],
      ...(this.anchor ? { anchor: this.anchor } : {}),
    };
  }

  private accumulate(r: VerifyReport): void {
    for (const k of r.keysUsed) this.keys.add(k);
    if (!this.report) {
      this.report = { ...r, notes: [...r.notes] };
      return;
    }
    this.report.entries += r.entries;
    this.report.batches += r.batches;
    this.report.checkpoints += r.checkpoints;
    if (r.lastCheckpoint) this.report.lastCheckpoint = r.lastCheckpoint;
    this.report.lastSeq = r.lastSeq;
  }
}
