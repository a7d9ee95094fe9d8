// Compaction on a schedule, as kube-apiserver compacts etcd: every interval, the history before the
// revision seen one interval ago is dropped, so a watch can resume from anything newer than one interval
// and older resumes get 410 Gone (the client relists). After each compaction, the backend's housekeeping
// (the embedded store's vacuum and WAL checkpoint) runs.

import type { Clock, Timer } from "../machinery/clock.js";
import type { Store } from "./store.js";

export interface StoreCompactorOptions {
  store: Store;
  clock: Clock;
  /** How often to compact, and so the history kept (at least one interval). */
  intervalMs: number;
  /** Runs after each compaction, even one that dropped nothing. */
  housekeeping?: () => Promise<unknown>;
  /** Told about each run: the revision compacted to (undefined on the first run, which only records one). */
  onRun?: (run: CompactionRun) => void;
  /** A failed run is reported and the next one tries again. */
  onError?: (err: Error) => void;
}

export interface CompactionRun {
  compactedTo: number | undefined;
  /** Time spent in compact and housekeeping (writes are served in between their steps). */
  durationMs: number;
  housekeeping: unknown;
}

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;

export class StoreCompactor {
  /** The revision seen at the previous run: the next run compacts to it. */
  private previous: number | undefined;
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: StoreCompactorOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  /** One run now (the timer's work); resolves when it is done. */
  async runOnce(): Promise<CompactionRun> {
    const started = this.opts.clock.now();
    const current = await this.opts.store.currentRevision();
    const target = this.previous;
    this.previous = current;
    if (target !== undefined && target > 1) await this.opts.store.compact(target);
    const housekeeping = this.opts.housekeeping ? await this.opts.housekeeping() : undefined;
    return { compactedTo: target !== undefined && target > 1 ? target : undefined, durationMs: this.opts.clock.now() - started, housekeeping };
  }

  private schedule(): void {
    if (this.stopped || this.opts.intervalMs <= 0) return;
    this.timer = this.opts.clock.setTimer(this.opts.intervalMs, () => {
      this.running = this.runOnce().then(
        (run) => this.opts.onRun?.(run),
        (err: unknown) => this.opts.onError?.(err instanceof Error ? err : new Error(String(err))),
      );
      void this.running.finally(() => this.schedule());
    });
  }
}
