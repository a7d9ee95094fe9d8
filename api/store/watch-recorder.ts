// Test support: records a Store watch and lets a test await "n events" or "an error" without sleeping.

import type { Store, StoreWatch, WatchEvent } from "./store.js";
import { systemClock, type Clock } from "../machinery/clock.js";

interface Waiter {
  ready: () => boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface RecordWatchOptions {
  prefix: string;
  fromRevision: number;
  /** Bounds every wait, so a missing event fails the test instead of hanging it. */
  timeoutMs?: number;
  clock?: Clock;
}

export class WatchRecorder {
  readonly events: WatchEvent[] = [];
  /** Each onEvents call, to check that one revision's events arrive together. */
  readonly batches: WatchEvent[][] = [];
  error: Error | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly watch: StoreWatch;

  constructor(
    store: Store,
    private readonly options: RecordWatchOptions,
  ) {
    this.watch = store.watch(options.prefix, {
      fromRevision: options.fromRevision,
      onEvents: (events) => {
        this.batches.push(events);
        this.events.push(...events);
        this.settle();
      },
      onError: (err) => {
        this.error = err;
        this.settle();
      },
    });
  }

  /** Resolves with the first `count` events once that many arrived; rejects on a watch error or timeout. */
  async untilEvents(count: number): Promise<WatchEvent[]> {
    await this.until(() => this.events.length >= count, `${count} events`);
    return this.events.slice(0, count);
  }

  /** Resolves with the watch's error. */
  async untilError(): Promise<Error> {
    await this.until(() => this.error !== undefined, "a watch error", false);
    return this.error as Error;
  }

  close(): void {
    this.watch.close();
  }

  private until(ready: () => boolean, what: string, failOnError = true): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 5000;
    return new Promise<void>((resolve, reject) => {
      const timer = (this.options.clock ?? systemClock).setTimer(timeoutMs, () => {
        this.waiters.delete(waiter);
        reject(new Error(`watch on "${this.options.prefix}" from ${this.options.fromRevision}: no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`));
      });
      const waiter: Waiter = {
        ready: () => ready() || (failOnError && this.error !== undefined),
        resolve: () => {
          timer.cancel();
          if (failOnError && this.error && !ready()) reject(this.error);
          else resolve();
        },
        reject,
      };
      this.waiters.add(waiter);
      this.settle();
    });
  }

  private settle(): void {
    for (const waiter of [...this.waiters]) {
      if (!waiter.ready()) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }
}

/** Starts recording a watch. */
export const recordWatch = (store: Store, options: RecordWatchOptions): WatchRecorder => new WatchRecorder(store, options);
