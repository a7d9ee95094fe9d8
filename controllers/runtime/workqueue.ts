// A controller's workqueue: duplicate keys merge, a key runs in one reconcile at a time (added again while
// running, it runs once more afterwards), failures back off per key, and at most `concurrency` run at once.

import type { Logger } from "pino";
import type { Clock, Timer } from "../../api/machinery/clock.js";
import { errorText } from "./error-text.js";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";
import type { ControllerMetrics, ReconcileOutcome } from "./metrics.js";
import { isTerminalError, type ReconcileResult } from "./reconciler.js";

export interface WorkQueueOptions {
  /** The controller's name, in logs and metric labels. */
  name: string;
  clock: Clock;
  logger: Logger;
  process: (key: string) => Promise<ReconcileResult>;
  /** Reconciles running at once. Default 2. */
  concurrency?: number;
  /** The per-key delay after consecutive failures. Default 5 ms, doubling to 5 minutes. */
  backoff?: BackoffPolicy;
  metrics?: ControllerMetrics;
}

export const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { baseMs: 5, maxMs: 5 * 60_000 };
/** Node's timers fire at once beyond 2^31−1 ms; a longer wait wakes early and the reconcile asks again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys that need a reconcile: queued, or running and added again. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: Timer }>();
  /** Reconciles run at once, at most. */
  readonly concurrency: number;
  private readonly backoff: BackoffPolicy;
  private started = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkQueueOptions) {
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
    opts.metrics?.maxWorkers.set({ controller: opts.name }, this.concurrency);
    this.backoff = opts.backoff ?? DEFAULT_RETRY_BACKOFF;
  }

  /** Keys waiting to run (not counting those running or waiting on a timer). */
  get length(): number {
    return this.queue.length;
  }

  /** Consecutive failures of a key, reset by a success. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys waiting on a timer (backoff or requeueAfterMs). */
  get waiting(): number {
    return this.delayed.size;
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.opts.clock.now());
    this.opts.metrics?.adds.inc({ name: this.opts.name });
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.setDepth();
    this.pump();
  }

  /** Adds the key after `ms`; of several pending wake-ups for a key, the earliest wins. */
  addAfter(key: string, ms: number): void {
    this.addAt(key, this.opts.clock.now() + ms);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.pump();
  }

  /** Drops queued keys and timers, and resolves once the reconciles already running have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    this.setDepth();
    await this.idle();
  }

  /** Resolves when nothing is queued or running (keys may still wait on a timer). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.processing.size === 0 && (this.queue.length === 0 || !this.started);
  }

  private addAt(key: string, at: number): void {
    if (this.stopped) return;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const now = this.opts.clock.now();
    if (at <= now) {
      this.delayed.delete(key);
      this.add(key);
      return;
    }
    const timer = this.opts.clock.setTimer(Math.min(at - now, MAX_TIMER_MS), () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, timer });
  }

  private pump(): void {
    while (this.started && !this.stopped && this.processing.size < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.dirty.delete(key);
      this.processing.add(key);
      void this.run(key);
    }
    this.setDepth();
  }

  private async run(key: string): Promise<void> {
    const { name, clock, metrics, logger } = this.opts;
    const started = clock.now();
    metrics?.queueDuration.observe({ name }, Math.max(0, started - (this.addedAt.get(key) ?? started)) / 1000);
    metrics?.activeWorkers.inc({ controller: name });
    let outcome: ReconcileOutcome = "success";
    try {
      const result = await this.opts.process(key);
      this.failures.delete(key);
      if (result.requeueAfterMs !== undefined && Number.isFinite(result.requeueAfterMs)) {
        outcome = "requeue_after";
        // From the reconcile's start, so time that passed while it ran is not added twice.
        this.addAt(key, started + Math.max(0, result.requeueAfterMs));
      }
    } catch (err) {
      if (isTerminalError(err)) {
        outcome = "terminal_error";
        this.failures.delete(key);
        logger.error({ controller: name, name: key, err: err.message }, "reconcile failed and will not be retried until the object changes");
      } else {
        outcome = "error";
        const failures = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, failures);
        const delayMs = backoffDelay(this.backoff, failures);
        metrics?.retries.inc({ name });
        logger.warn({ controller: name, name: key, err: errorText(err), failures, retryInMs: delayMs }, "reconcile failed; retrying after backoff");
        this.addAt(key, clock.now() + delayMs);
      }
    } finally {
      metrics?.activeWorkers.dec({ controller: name });
      metrics?.recordOutcome(name, outcome, Math.max(0, clock.now() - started) / 1000);
      this.processing.delete(key);
      if (this.dirty.has(key) && !this.stopped) this.queue.push(key);
      this.pump();
      if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private setDepth(): void {
    this.opts.metrics?.depth.set({ name: this.opts.name }, this.queue.length);
  }
}

