// [audit] retention_days: batches whose write time is older than the retention are deleted behind an
// anchor, the newest signed checkpoint among them. Verification starts at the anchor (its signature
// checked like any checkpoint), so a pruned log still verifies end to end. The anchor is written (CAS)
// before any batch is deleted, so a crash mid-way leaves batches below the anchor that readers skip and the
// next run deletes. Several servers may run this at once: the anchor's compare-and-swap lets one win.

import type { Clock, Timer } from "../machinery/clock.js";
import type { AuditLog, AuditLogger } from "./audit-log.js";
import type { Anchor } from "../client/audit/batch.js";
import type { BatchStore } from "./batch-store.js";
import { auditTime } from "../client/audit/event.js";

export interface PruneResult {
  anchor: Anchor;
  deletedBatches: number;
}

export interface RetentionOptions {
  log: AuditLog;
  batches: BatchStore;
  clock: Clock;
  retentionDays: number;
  /** Unsigned logs ([audit] sign_logs = false) may anchor at any batch end. */
  signed: boolean;
  logger?: AuditLogger;
  intervalMs?: number;
}

const DAY_MS = 86_400_000;

/** Where pruning may cut: the anchor for the newest checkpoint in batches written before cutoffMs. */
export async function planPrune(batches: BatchStore, opts: { cutoffMs: number; signed: boolean; nowMs: number }): Promise<Anchor | undefined> {
  const first = await batches.firstBatch();
  if (first === undefined) return undefined;
  let anchor: Anchor | undefined;
  for await (const batch of batches.batchesFrom(first)) {
    if (Date.parse(batch.time) >= opts.cutoffMs) break;
    const checkpoint = batch.checkpoints.reduce<(typeof batch.checkpoints)[number] | undefined>((best, c) => (c.seq <= batch.lastSeq && (!best || c.seq > best.seq) ? c : best), undefined);
    if (opts.signed && checkpoint) {
      anchor = { v: 1, batch: checkpoint.seq >= batch.lastSeq ? batch.batch + 1 : batch.batch, seq: checkpoint.seq, hash: checkpoint.hash, checkpoint, prunedAt: auditTime(opts.nowMs) };
    } else if (!opts.signed && batch.lastSeq > 0) {
      anchor = { v: 1, batch: batch.batch + 1, seq: batch.lastSeq, hash: batch.lastHash, prunedAt: auditTime(opts.nowMs) };
    }
  }
  return anchor;
}

export class RetentionPruner {
  private timer: Timer | undefined;
  private stopped = false;

  constructor(private readonly opts: RetentionOptions) {}

  /** Prunes now and then every intervalMs (default an hour); retention_days = 0 keeps everything. */
  start(): void {
    if (this.opts.retentionDays <= 0) return;
    const run = () => {
      if (this.stopped) return;
      void this.pruneNow()
        .catch((err: unknown) => this.opts.logger?.warn({ err: (err as Error).message }, "pruning the audit log failed; retrying at the next interval"))
        .finally(() => {
          if (!this.stopped) this.timer = this.opts.clock.setTimer(this.opts.intervalMs ?? 3_600_000, run);
        });
    };
    this.timer = this.opts.clock.setTimer(0, run);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  async pruneNow(): Promise<PruneResult | undefined> {
    const { batches, clock } = this.opts;
    const now = clock.now();
    const planned = await planPrune(batches, { cutoffMs: now - this.opts.retentionDays * DAY_MS, signed: this.opts.signed, nowMs: now });
    const current = await batches.anchor();
    let anchor = current?.anchor;
    if (planned && (!anchor || planned.seq > anchor.seq)) {
      if (!(await batches.putAnchor(planned, current?.modRevision))) return undefined; // another server is pruning
      anchor = planned;
    }
    if (!anchor) return undefined;
    const first = await batches.firstBatch();
    if (first === undefined || first >= anchor.batch) return planned === anchor ? { anchor, deletedBatches: 0 } : undefined;
    const doomed = Array.from({ length: anchor.batch - first }, (_, i) => first + i);
    for (let i = 0; i < doomed.length; i += 64) await Promise.all(doomed.slice(i, i + 64).map((b) => batches.delete(b)));
    await this.opts.log.record({
      type: "audit.pruned",
      actor: "system:audit",
      outcome: "success",
      details: { throughSeq: anchor.seq, deletedBatches: doomed.length, retentionDays: this.opts.retentionDays },
    });
    this.opts.logger?.info({ throughSeq: anchor.seq, deletedBatches: doomed.length }, "pruned the audit log behind a signed anchor");
    return { anchor, deletedBatches: doomed.length };
  }
}
