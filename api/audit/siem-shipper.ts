// Ships the audit log to a SIEM ([audit.export]): batches of batch_size entries POSTed with undici,
// retried with exponential backoff capped at max_backoff_seconds, and a durable cursor advanced only
// after the SIEM answered 2xx. So nothing is lost (an entry leaves the cursor behind it until it was
// acknowledged) and nothing is sent twice across a SIEM outage or a graceful restart (the cursor is
// written before the next batch is read, and stop() waits for the request in flight). The one window left
// is a crash between the SIEM's 2xx and the cursor write: that batch is sent again with the same
// Idempotency-Key (claw-audit-{first}-{last}) and the same seqs, which a SIEM can drop.

import { request, type Dispatcher } from "undici";
import type { Clock, Timer } from "../machinery/clock.js";
import type { Store } from "../store/store.js";
import type { AuditExportConfig } from "./audit-config.js";
import type { AuditLogger } from "./audit-log.js";
import { AuditReader } from "./audit-reader.js";
import type { BatchStore } from "./batch-store.js";
import type { AuditEntry } from "../client/audit/event.js";
import { ExportCursor, type HeldCursor } from "./export-cursor.js";

export interface SiemShipperOptions {
  store: Store;
  batches: BatchStore;
  clock: Clock;
  config: AuditExportConfig;
  /** This server's name for the lease (several servers on one etcd: one ships). */
  holder: string;
  /** Bearer token for the SIEM ([audit.export] token_env, read by cmd/). */
  token?: string;
  /** An undici dispatcher (a CA bundle for the SIEM's certificate); the global one otherwise. */
  dispatcher?: Dispatcher;
  logger?: AuditLogger;
  /** Wakes the shipper when entries are appended (AuditLog.onAppended); it also polls. */
  subscribe?: (wake: () => void) => () => void;
  leaseMs?: number;
  pollMs?: number;
  initialBackoffMs?: number;
  /** Another consumer of this machinery (the alert webhook): its cursor key, the entries it ships, its names. */
  cursorKey?: string;
  filter?: (entry: AuditEntry) => boolean;
  /** Idempotency-Key prefix and user agent; "claw-audit" by default. */
  name?: string;
}

export type WaitReason = "idle" | "backoff" | "standby";
export interface WaitEvent {
  ms: number;
  reason: WaitReason;
}

export interface ShipperStats {
  shipped: number;
  requests: number;
  failures: number;
  lastError?: string;
}

export class SiemShipper {
  readonly stats: ShipperStats = { shipped: 0, requests: 0, failures: 0 };
  private readonly cursor: ExportCursor;
  private readonly reader: AuditReader;
  private held: HeldCursor | undefined;
  /** Where the next read starts: the batch holding the entry after `seq`. */
  private hint: { seq: number; batch: number } | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeWait: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The wait in progress, until nextWait hands it out or it ends. */
  private currentWait: WaitEvent | undefined;
  private waitListeners: ((w: WaitEvent) => void)[] = [];
  private consecutiveFailures = 0;

  constructor(private readonly opts: SiemShipperOptions) {
    this.cursor = new ExportCursor(opts.store, opts.holder, opts.leaseMs ?? 30_000, opts.cursorKey);
    this.reader = new AuditReader(opts.batches);
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.unsubscribe = this.opts.subscribe?.(() => this.wakeWait?.());
    this.running = this.loop();
  }

  /** Finishes the request in flight (never aborted: the SIEM may have taken it), releases the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wakeWait?.();
    await this.running;
    this.running = undefined;
    if (this.held) await this.cursor.release(this.held).catch(() => undefined);
    this.held = undefined;
  }

  /** The wait the loop is in (if not handed out yet) or its next one: tests step a FakeClock by its ms. */
  nextWait(): Promise<WaitEvent> {
    const current = this.currentWait;
    this.currentWait = undefined;
    if (current) return Promise.resolve(current);
    return new Promise((resolve) => this.waitListeners.push(resolve));
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        this.held = await this.cursor.claim(this.opts.clock.now(), this.held);
        if (!this.held) {
          await this.wait((this.opts.leaseMs ?? 30_000) / 3, "standby");
          continue;
        }
        const { entries, through } = await this.read(this.held.value.seq);
        if (entries.length === 0) {
          // A filter skipped what was read: move the cursor past it rather than read it again.
          if (through > this.held.value.seq) this.held = await this.cursor.advance(this.held, through, this.opts.clock.now());
          else await this.wait(this.opts.pollMs ?? 2000, "idle");
          continue;
        }
        await this.post(entries);
        this.consecutiveFailures = 0;
        const last = through;
        this.stats.shipped += entries.length;
        this.held = await this.cursor.advance(this.held, last, this.opts.clock.now());
        if (!this.held) this.opts.logger?.warn({ seq: last }, "another server took the SIEM export cursor; standing by");
      } catch (err) {
        this.stats.failures++;
        this.consecutiveFailures++;
        this.stats.lastError = (err as Error).message;
        const backoff = Math.min(this.opts.config.maxBackoffMs, (this.opts.initialBackoffMs ?? 1000) * 2 ** (this.consecutiveFailures - 1));
        this.opts.logger?.warn({ err: this.stats.lastError, retryInMs: backoff }, "shipping audit entries to the SIEM failed");
        await this.wait(backoff, "backoff");
      }
    }
  }

  /** Up to batch_size entries after seq (those the filter keeps), and the last seq looked at. */
  private async read(seq: number): Promise<{ entries: AuditEntry[]; through: number }> {
    const bounds = await this.reader.bounds();
    if (!bounds) return { entries: [], through: seq };
    if (seq < bounds.prunedThrough) this.opts.logger?.warn({ from: seq + 1, to: bounds.prunedThrough }, "audit entries were pruned by retention before they were shipped");
    const after = Math.max(seq, bounds.prunedThrough);
    const start = this.hint?.seq === after ? this.hint.batch : await this.reader.batchHolding(after + 1, bounds);
    if (start === undefined) return { entries: [], through: after };
    const out: AuditEntry[] = [];
    const keep = this.opts.filter ?? (() => true);
    let through = after;
    for await (const batch of this.opts.batches.batchesFrom(start)) {
      for (const entry of batch.entries) {
        if (entry.seq <= after) continue;
        through = entry.seq;
        if (!keep(entry)) continue;
        out.push(entry);
        if (out.length >= this.opts.config.batchSize) {
          this.hint = { seq: entry.seq, batch: batch.batch };
          return { entries: out, through };
        }
      }
      this.hint = { seq: through, batch: batch.batch };
    }
    return { entries: out, through };
  }

  private async post(entries: AuditEntry[]): Promise<void> {
    const { config } = this.opts;
    const first = entries[0]!.seq;
    const last = entries.at(-1)!.seq;
    const jsonl = config.format === "jsonl";
    const body = jsonl ? `${entries.map((e) => JSON.stringify(e)).join("\n")}\n` : JSON.stringify(entries);
    this.stats.requests++;
    const response = await request(config.endpoint, {
      method: "POST",
      body,
      headers: {
        "content-type": jsonl ? "application/x-ndjson" : "application/json",
        "idempotency-key": `${this.opts.name ?? "claw-audit"}-${first}-${last}`,
        "x-claw-audit-first-seq": String(first),
        "x-claw-audit-last-seq": String(last),
        "user-agent": `${this.opts.name ?? "claw-audit"}-shipper`,
        ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
      },
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
    });
    const text = await response.body.text().catch(() => "");
    if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`${config.endpoint} answered ${response.statusCode} to entries ${first}–${last}${text ? `: ${text.slice(0, 200)}` : ""}`);
  }

  /** Waits ms of the clock (or until woken by an append, when idle, or by stop). */
  private wait(ms: number, reason: WaitReason): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const event = { ms, reason };
      const done = () => {
        timer?.cancel();
        this.wakeWait = undefined;
        if (this.currentWait === event) this.currentWait = undefined;
        resolve();
      };
      timer = this.opts.clock.setTimer(ms, done);
      // Appends cut an idle wait short; a backoff runs its course (the SIEM is what is down).
      this.wakeWait = reason === "backoff" ? () => (this.stopping ? done() : undefined) : done;
      const listener = this.waitListeners.shift();
      if (listener) listener(event);
      else this.currentWait = event;
    });
  }
}
