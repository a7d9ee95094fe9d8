// The audit log: every security-relevant event, hash-chained, checkpoint-signed, in the Store.
//
// Design (the README's "Audit log" section says the same for operators):
// - Entries live in the Store (SQLite or etcd), not in files, so every server on one etcd appends to ONE
//   chain. Appends made in the same event-loop turn form one batch, stored with `create` under
//   /claw/audit/batches/{N}. `create` fails if the key exists, so when two servers race for batch N one
//   wins; the loser re-reads the head, renumbers and relinks its entries onto it and tries N+1. There is
//   no head pointer to update and no lock: a forked chain is impossible by construction.
// - append() resolves only after the batch's create is acknowledged, i.e. durable: the embedded store
//   commits with synchronous=FULL before acknowledging, etcd after its raft quorum. kill -9 cannot lose
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
import type { Store } from "../store/store.js";
import { isExcluded, type AuditConfig } from "./audit-config.js";
import { BatchStore } from "./batch-store.js";
import { buildBatch, headAfter, type ChainHead, type PendingEntry } from "./chain-builder.js";
import type { CheckpointSigner } from "./checkpoint.js";
import { GENESIS_HASH } from "./entry-hash.js";
import { memoAuditTime, type AuditEvent } from "./event.js";
import { sanitizeEvent } from "./redact.js";

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
  maxBatchEntries?: number;
  maxBatchBytes?: number;
  /** How many lost races in a row one batch tolerates before the append fails. */
  maxConflicts?: number;
}

/** The result of an append: the entry's seq, or undefined when the log is disabled or the type excluded. */
export interface AppendResult {
  seq: number | undefined;
}

/** The entry could not be made durable; the message says why. */
export class AuditUnavailableError extends Error {
  override name = "AuditUnavailableError";
}

interface Pending {
  entry: PendingEntry;
  size: number;
  resolve: (result: AppendResult) => void;
  reject: (err: Error) => void;
}

export interface AuditLogStats {
  appended: number;
  batches: number;
  checkpoints: number;
  conflicts: number;
  failures: number;
}

export class AuditLog {
  readonly batches: BatchStore;
  readonly stats: AuditLogStats = { appended: 0, batches: 0, checkpoints: 0, conflicts: 0, failures: 0 };
  private queue: Pending[] = [];
  private scheduled = false;
  private draining: Promise<void> | undefined;
  private checkpointWanted = false;
  private head: ChainHead | undefined;
  private lastBatchSeen: number | undefined;
  private healthyNow = true;
  private lastError: string | undefined;
  private timer: Timer | undefined;
  private stopped = false;
  private readonly listeners = new Set<(lastSeq: number) => void>();
  private readonly writer: string;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly formatTime = memoAuditTime();

  constructor(private readonly opts: AuditLogOptions) {
    if (opts.config.enabled && opts.config.signLogs && !opts.signer) throw new Error("[audit] sign_logs = true needs a signing key: pass AuditLogOptions.signer (loadOrCreateSigningKey)");
    this.batches = new BatchStore(opts.store);
    this.writer = opts.writer ?? opts.signer?.keyId ?? "unsigned";
    this.maxEntries = opts.maxBatchEntries ?? 2000;
    this.maxBytes = opts.maxBatchBytes ?? 900_000;
  }

  get enabled(): boolean {
    return this.opts.config.enabled;
  }

  /** Reads the chain head, publishes this server's public key, starts the checkpoint timer. */
  async start(): Promise<void> {
    if (!this.enabled) return;
    await this.refreshHead();
    const signer = this.opts.config.signLogs ? this.opts.signer : undefined;
    if (signer) await this.batches.publishKey({ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem, createdAt: new Date(this.opts.clock.now()).toISOString() });
    this.arm();
  }

  /** Writes what is queued, signs the head, stops the timer; later appends are refused. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    await this.drain();
    if (this.enabled && this.signing && this.head && this.head.seq > this.head.signedSeq) {
      this.checkpointWanted = true;
      await this.drain();
    }
  }

  /**
   * Records an event; resolves with its seq once it is durable. Rejects with AuditUnavailableError when
   * it cannot be written (the store is down, or lost races too often), TypeError for a malformed event.
   */
  append(event: AuditEvent): Promise<AppendResult> {
    if (!this.enabled || isExcluded(event.type, this.opts.config.excludeEvents)) return Promise.resolve({ seq: undefined });
    if (this.stopped) return Promise.reject(new AuditUnavailableError("the audit log is stopped (the server is shutting down)"));
    let entry: PendingEntry;
    try {
      entry = sanitizeEvent(event, this.opts.clock.now(), this.formatTime);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, size: JSON.stringify(entry).length + 200, resolve, reject });
      this.schedule();
    });
  }

  /** append() with the fail-closed policy: ApiError 503 when the entry cannot be written and fail_closed is on. */
  async record(event: AuditEvent): Promise<AppendResult> {
    try {
      return await this.append(event);
    } catch (err) {
      if (!(err instanceof AuditUnavailableError)) throw err;
      if (this.opts.config.failClosed) throw this.unavailable();
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
    return this.head ? { seq: this.head.seq, hash: this.head.hash, signedSeq: this.head.signedSeq } : undefined;
  }

  /** Called with the last seq after each batch this server writes (the SIEM shipper's wake-up). */
  onAppended(listener: (lastSeq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private get signing(): CheckpointSigner | undefined {
    return this.opts.config.signLogs ? this.opts.signer : undefined;
  }

  private unavailable() {
    return serviceUnavailable(`the audit log cannot be written (${this.lastError ?? "unknown error"}); security-relevant requests are refused until it recovers ([audit] fail_closed = true)`);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, as the store's group commit: every request ready in this turn joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** Writes batches until the queue is empty; one drain at a time keeps this server's batches in order. */
  private drain(): Promise<void> {
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

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0 || this.checkpointWanted) {
      const take = this.take();
      if (take.length === 0) this.checkpointWanted = false;
      await this.write(take);
    }
  }

  private take(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && count < this.maxEntries) {
      const size = this.queue[count]!.size;
      if (count > 0 && bytes + size > this.maxBytes) break;
      bytes += size;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async write(take: Pending[]): Promise<void> {
    const config = this.opts.config;
    const maxConflicts = this.opts.maxConflicts ?? 200;
    try {
      for (let conflicts = 0; ; conflicts++) {
        const head = this.head ?? (await this.refreshHead());
        // A checkpoint-only batch is pointless once the head is signed (perhaps by another server).
        if (take.length === 0 && (!this.signing || head.seq <= head.signedSeq || head.seq === 0)) return;
        const built = buildBatch({
          head,
          entries: take.map((p) => p.entry),
          nowMs: this.opts.clock.now(),
          writer: this.writer,
          hashChain: config.hashChain,
          ...(this.signing ? { signer: this.signing } : {}),
          checkpointEvery: config.checkpointEvery,
          checkpointIntervalMs: config.checkpointIntervalMs,
        });
        if (await this.batches.create(built.record)) {
          this.head = built.head;
          this.lastBatchSeen = built.head.batch;
          this.markHealthy();
          this.stats.batches++;
          this.stats.appended += take.length;
          this.stats.checkpoints += built.record.checkpoints.length;
          take.forEach((p, i) => p.resolve({ seq: built.record.entries[i]!.seq }));
          for (const listener of this.listeners) listener(built.head.seq);
          return;
        }
        this.stats.conflicts++;
        if (conflicts >= maxConflicts) throw new AuditUnavailableError(`batch ${built.record.batch} was taken by another server ${maxConflicts} times in a row`);
        await this.refreshHead(built.record.batch);
      }
    } catch (err) {
      this.head = undefined;
      this.markUnhealthy(err);
      const error = err instanceof AuditUnavailableError ? err : new AuditUnavailableError(`the audit log could not be written: ${(err as Error).message}`);
      for (const p of take) p.reject(error);
    }
  }

  /** Reads the chain head from the store: the last batch, or the anchor/genesis for an empty log. */
  private async refreshHead(hint?: number): Promise<ChainHead> {
    const known = { signedSeq: this.head?.signedSeq ?? 0, lastCheckpointAt: this.head?.lastCheckpointAt ?? 0 };
    const last = await this.batches.lastBatch(hint ?? this.lastBatchSeen);
    let head: ChainHead;
    const record = last === undefined ? undefined : await this.batches.get(last);
    if (record) head = headAfter(record, known);
    else {
      const anchor = (await this.batches.anchor())?.anchor;
      head = anchor
        ? { batch: anchor.batch - 1, seq: anchor.seq, hash: anchor.hash, signedSeq: anchor.seq, lastCheckpointAt: known.lastCheckpointAt }
        : { batch: 0, seq: 0, hash: GENESIS_HASH, signedSeq: 0, lastCheckpointAt: known.lastCheckpointAt };
    }
    this.head = head;
    this.lastBatchSeen = head.batch > 0 ? head.batch : undefined;
    return head;
  }

  private markHealthy(): void {
    if (!this.healthyNow) this.opts.logger?.info({}, "the audit log is writable again");
    this.healthyNow = true;
    this.lastError = undefined;
  }

  private markUnhealthy(err: unknown): void {
    this.stats.failures++;
    this.lastError = (err as Error).message;
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
    await this.draining;
    // Appends are arriving: their batches sign themselves when a checkpoint is due.
    if (this.queue.length > 0) return;
    try {
      const head = await this.refreshHead();
      if (!this.healthyNow && !this.signing) this.markHealthy();
      if (this.signing && head.seq > head.signedSeq) {
        this.checkpointWanted = true;
        await this.drain();
      } else if (!this.healthyNow) this.markHealthy();
    } catch (err) {
      this.head = undefined;
      this.markUnhealthy(err);
    }
  }
}
