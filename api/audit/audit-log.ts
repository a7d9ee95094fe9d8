// The audit log: every security-relevant event, hash-chained, checkpoint-signed, in the Store.
//
// Design (the README's "Audit log" section says the same for operators):
// - Entries live in the Store (SQLite or etcd), not in files, so every server on one etcd appends to ONE
//   chain. Appends made in the same event-loop turn form one batch, stored with `create` under
//   /claw/audit/batches/{N}. `create` fails if the key exists, so when two servers race for batch N one
//   wins; the loser re-reads the head, renumbers and relinks its entries onto it and tries N+1. There is
//   no head pointer to update and no lock: a forked chain is impossible by construction.
// - append() resolves only after the batch's create is acknowledged, i.e. durable: the embedded store
//   commits and fsyncs its WAL before acknowledging, etcd after its raft quorum. kill -9 cannot lose
//   an acknowledged entry.
// - Integrity: entry.prevHash = hash of the previous entry, entry.hash = SHA-256 of the entry's canonical
//   JSON (entry-hash.ts). Checkpoints (Ed25519 over seq, hash, time; checkpoint.ts) are signed at every
//   seq that is a multiple of checkpoint_every, on the last entry of a batch when the last checkpoint is
//   older than checkpoint_interval_seconds, and, when the log goes idle, in a checkpoint-only batch.
//   Each server signs with its own key from storage_path (signing-key-files.ts).
// - Throughput comes from batching: one store write (one fsync) carries every entry that arrived while
//   the previous write was in flight, capped at maxBatchEntries / maxBatchBytes (etcd refuses requests
//   over 1.5 MiB).
// Trade-offs: entries share the store with resources (its size, compaction and backups); a writer that
// loses a race pays one extra read and write; finding the head after a restart costs O(log batches) gets.
//
// Emitters call record() (fails closed: ApiError 503 when the entry cannot be written and [audit]
// fail_closed = true) or append() (the raw promise); guard() refuses early while the log is unhealthy.

import type { Logger } from "pino";
import type { Clock, Timer } from "../machinery/clock.js";
import { serviceUnavailable } from "../machinery/errors.js";
import type { Store, TxnResult } from "../store/store.js";
import { isExcluded, type AuditConfig } from "./audit-config.js";
import type { BatchRecord } from "../client/audit/batch.js";
import { BatchStore, type GuardedWrite } from "./batch-store.js";
import type { PendingEntry } from "./chain-builder.js";
import type { CheckpointSigner } from "../client/audit/checkpoint.js";
import { AuditUnavailableError, ChainWriter, type AppendResult, type ChainWriterStats } from "./chain-writer.js";
import { memoAuditTime, type AuditEvent } from "../client/audit/event.js";
import { sanitizeEvent } from "./redact.js";

export { AuditUnavailableError, type AppendResult } from "./chain-writer.js";
export type AuditLogStats = ChainWriterStats;
export type AuditLogger = Pick<Logger, "info" | "warn" | "error">;

export interface AuditLogOptions {
  store: Store;
  clock: Clock;
  config: AuditConfig;
  /** Required when config.signLogs (loadOrCreateSigningKey gives one). */
  signer?: CheckpointSigner;
  logger?: AuditLogger;
  /** Names this server in each batch it writes; default the signer's key id. */
  writer?: string;
  /** Caps on one batch (etcd refuses requests over 1.5 MiB). */
  maxBatchEntries?: number;
  maxBatchBytes?: number;
  /** How many lost races in a row one batch tolerates before the append fails. */
  maxConflicts?: number;
}

export class AuditLog {
  readonly batches: BatchStore;
  private readonly writer: ChainWriter;
  private healthyNow = true;
  private lastError: string | undefined;
  private timer: Timer | undefined;
  private stopped = false;
  private readonly listeners = new Set<(lastSeq: number) => void>();
  private readonly observers = new Set<(event: AuditEvent) => void>();
  private readonly formatTime = memoAuditTime();

  constructor(private readonly opts: AuditLogOptions) {
    if (opts.config.enabled && opts.config.signLogs && !opts.signer) throw new Error("[audit] sign_logs = true needs a signing key: pass AuditLogOptions.signer (loadOrCreateSigningKey)");
    this.batches = new BatchStore(opts.store);
    const signer = opts.config.signLogs ? opts.signer : undefined;
    this.writer = new ChainWriter({
      batches: this.batches,
      clock: opts.clock,
      config: opts.config,
      ...(signer ? { signer } : {}),
      writer: opts.writer ?? opts.signer?.keyId ?? "unsigned",
      maxEntries: opts.maxBatchEntries ?? 2000,
      maxBytes: opts.maxBatchBytes ?? 900_000,
      maxConflicts: opts.maxConflicts ?? 200,
      onWritten: (record) => this.written(record),
      onFailed: (err) => this.markUnhealthy(err),
    });
  }

  get enabled(): boolean {
    return this.opts.config.enabled;
  }

  /** Batches, entries, checkpoints written by this server; races lost; failed writes. */
  get stats(): AuditLogStats {
    return this.writer.stats;
  }

  /** Reads the chain head, publishes this server's public key, starts the checkpoint timer. */
  async start(): Promise<void> {
    if (!this.enabled) return;
    await this.writer.refreshHead();
    const signer = this.signing;
    if (signer) await this.batches.publishKey({ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem, createdAt: new Date(this.opts.clock.now()).toISOString() });
    this.arm();
  }

  /** Writes what is queued, signs the head, stops the timer; later appends are refused. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    await this.writer.drain();
    const head = this.writer.head;
    if (this.enabled && this.signing && head && head.seq > head.signedSeq) await this.writer.signHead();
  }

  /**
   * Records an event; resolves with its seq once it is durable. Rejects with AuditUnavailableError when
   * it cannot be written (the store is down, or lost races too often), TypeError for a malformed event.
   */
  append(event: AuditEvent): Promise<AppendResult> {
    this.observe([event]);
    if (!this.enabled || isExcluded(event.type, this.opts.config.excludeEvents)) return Promise.resolve({ seq: undefined });
    if (this.stopped) return Promise.reject(new AuditUnavailableError("the audit log is stopped (the server is shutting down)"));
    let entry: PendingEntry;
    try {
      entry = sanitizeEvent(event, this.opts.clock.now(), this.formatTime);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writer.submit(entry);
  }

  /**
   * Applies `write` and appends `events` in one store transaction (both or neither). The result is the
   * transaction as it concerns this write alone. Events the log does not keep (disabled, excluded) leave
   * a plain transaction. Fails closed like record().
   */
  async commit(write: GuardedWrite, events: readonly AuditEvent[]): Promise<TxnResult> {
    this.observe(events);
    const kept = this.enabled && !this.stopped ? events.filter((e) => !isExcluded(e.type, this.opts.config.excludeEvents)) : [];
    if (kept.length === 0) {
      if (this.enabled && this.stopped && events.length > 0) throw this.unavailable("the audit log is stopped (the server is shutting down)");
      return this.opts.store.txn(write.compares, write.ops);
    }
    const entries = kept.map((e) => sanitizeEvent(e, this.opts.clock.now(), this.formatTime));
    try {
      const result = await this.writer.commit(entries, write);
      if (!result.txn) throw new Error("the chain writer answered a write without its transaction");
      return result.txn;
    } catch (err) {
      if (!(err instanceof AuditUnavailableError)) throw err;
      if (this.opts.config.failClosed) throw this.unavailable(err.message);
      this.opts.logger?.error({ err: err.message, types: kept.map((e) => e.type) }, "audit entries lost: [audit] fail_closed = false, so the write goes on without them");
      return this.opts.store.txn(write.compares, write.ops);
    }
  }

  /** append() with the fail-closed policy: ApiError 503 when the entry cannot be written and fail_closed is on. */
  async record(event: AuditEvent): Promise<AppendResult> {
    try {
      return await this.append(event);
    } catch (err) {
      if (!(err instanceof AuditUnavailableError)) throw err;
      if (this.opts.config.failClosed) throw this.unavailable(err.message);
      this.opts.logger?.error({ err: err.message, type: event.type }, "audit entry lost: [audit] fail_closed = false, so the request goes on");
      return { seq: undefined };
    }
  }

  /** Throws ApiError 503 while the log cannot be written and fail_closed is on; call before security-relevant work. */
  guard(): void {
    if (!this.healthy() && this.opts.config.failClosed) throw this.unavailable();
  }

  /** False after a failed write, until a write (or the recovery probe) succeeds. */
  healthy(): boolean {
    return !this.enabled || this.healthyNow;
  }

  /** For ApiServer healthChecks / readyz: throws while unhealthy. */
  async healthCheck(): Promise<void> {
    if (!this.healthy()) throw new Error(`the audit log cannot be written: ${this.lastError ?? "unknown error"}`);
  }

  /** The head as this server last wrote or read it. */
  currentHead(): { seq: number; hash: string; signedSeq: number } | undefined {
    const head = this.writer.head;
    return head ? { seq: head.seq, hash: head.hash, signedSeq: head.signedSeq } : undefined;
  }

  /** Called with the last seq after each batch this server writes (the SIEM shipper's wake-up). */
  onAppended(listener: (lastSeq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with every event handed to append or commit, as it arrives (the alert rules read them here). */
  onEvent(observer: (event: AuditEvent) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private observe(events: readonly AuditEvent[]): void {
    for (const observer of this.observers) for (const event of events) observer(event);
  }

  private get signing(): CheckpointSigner | undefined {
    return this.opts.config.signLogs ? this.opts.signer : undefined;
  }

  private unavailable(reason = this.lastError ?? "unknown error") {
    // The log lives in the store: it is unwritable while the store is out of reach, which passes by itself (Retry-After).
    return serviceUnavailable(`the audit log cannot be written (${reason}); security-relevant requests are refused until it recovers ([audit] fail_closed = true)`, 1);
  }

  private written(record: BatchRecord): void {
    this.markHealthy();
    for (const listener of this.listeners) listener(record.lastSeq);
  }

  private markHealthy(): void {
    if (!this.healthyNow) this.opts.logger?.info({}, "the audit log is writable again");
    this.healthyNow = true;
    this.lastError = undefined;
  }

  private markUnhealthy(err: Error): void {
    this.lastError = err.message;
    if (this.healthyNow) this.opts.logger?.error({ err: this.lastError }, "the audit log cannot be written");
    this.healthyNow = false;
  }

  /** Every checkpoint interval: sign an idle unsigned head (this server's or another's), or probe recovery. */
  private arm(): void {
    this.timer = this.opts.clock.setTimer(this.opts.config.checkpointIntervalMs, () => {
      if (this.stopped) return;
      void this.tick().finally(() => {
        if (!this.stopped) this.arm();
      });
    });
  }

  private async tick(): Promise<void> {
    await this.writer.drain();
    // Appends are arriving: their batches sign themselves when a checkpoint is due.
    if (this.writer.busy) return;
    try {
      const head = await this.writer.refreshHead();
      if (this.signing && head.seq > head.signedSeq) await this.writer.signHead();
      else this.markHealthy();
    } catch (err) {
      this.writer.head = undefined;
      this.markUnhealthy(err as Error);
    }
  }
}
