// One store watch shared by every client watch: a ring buffer of recent events serves watchers that
// resume from a recent revision; older revisions are replayed from the store's own history.

import type { Clock } from "../machinery/clock.js";
import type { Store, StoreWatch, WatchEvent } from "../store/store.js";

export interface WatchHubOptions {
  store: Store;
  clock: Clock;
  /** The key prefix the hub watches (all resources). */
  prefix: string;
  /** Events kept for resuming watchers. */
  bufferSize?: number;
  /** Called when the shared watch fails and is restarted (for logs and metrics). */
  onRestart?: (err: Error) => void;
}

export interface SubscribeOptions {
  /** Only keys under this prefix. */
  keyPrefix: string;
  /** Deliver events with revision >= fromRevision. */
  fromRevision: number;
  onEvents: (events: WatchEvent[]) => void;
  onError: (err: Error) => void;
}

interface Subscriber extends SubscribeOptions {
  closed: boolean;
}

export class WatchHub {
  private buffer: WatchEvent[] = [];
  /** The buffer holds every event with revision >= bufferStart. */
  private bufferStart = Number.POSITIVE_INFINITY;
  private latest = 0;
  private readonly subscribers = new Set<Subscriber>();
  private storeWatch: StoreWatch | undefined;
  private stopped = false;

  constructor(private readonly opts: WatchHubOptions) {}

  async start(): Promise<void> {
    const rev = await this.opts.store.currentRevision();
    this.open(rev + 1);
  }

  /** The newest revision the hub has seen (at least the revision it started from). */
  latestRevision(): number {
    return this.latest;
  }

  subscriberCount(): number {
    return this.subscribers.size;
  }

  subscribe(options: SubscribeOptions): StoreWatch {
    if (options.fromRevision < this.bufferStart) return this.fromHistory(options);
    const sub: Subscriber = { ...options, closed: false };
    const backlog = this.buffer.filter((e) => e.kv.modRevision >= options.fromRevision && e.kv.key.startsWith(options.keyPrefix));
    this.subscribers.add(sub);
    if (backlog.length > 0) queueMicrotask(() => !sub.closed && sub.onEvents(backlog));
    return {
      close: () => {
        sub.closed = true;
        this.subscribers.delete(sub);
      },
    };
  }

  stop(): void {
    this.stopped = true;
    this.storeWatch?.close();
    for (const sub of this.subscribers) sub.closed = true;
    this.subscribers.clear();
  }

  private open(fromRevision: number): void {
    this.latest = Math.max(this.latest, fromRevision - 1);
    this.bufferStart = Math.min(this.bufferStart, fromRevision);
    if (this.buffer.length === 0) this.bufferStart = fromRevision;
    this.storeWatch = this.opts.store.watch(this.opts.prefix, {
      fromRevision,
      onEvents: (events) => this.dispatch(events),
      onError: (err) => this.restart(err),
    });
  }

  private dispatch(events: WatchEvent[]): void {
    const size = this.opts.bufferSize ?? 10_000;
    this.buffer.push(...events);
    this.latest = Math.max(this.latest, events.at(-1)?.kv.modRevision ?? 0);
    if (this.buffer.length > size) {
      const dropped = this.buffer.splice(0, this.buffer.length - size);
      this.bufferStart = (dropped.at(-1)?.kv.modRevision ?? 0) + 1;
    }
    // One filter per key prefix, not per subscriber: 1,000 watchers of one resource share one array (read-only).
    const byPrefix = new Map<string, WatchEvent[]>();
    for (const sub of this.subscribers) {
      let mine = byPrefix.get(sub.keyPrefix);
      if (!mine) byPrefix.set(sub.keyPrefix, (mine = events.filter((e) => e.kv.key.startsWith(sub.keyPrefix))));
      if (mine.length > 0 && !sub.closed) sub.onEvents(mine);
    }
  }

  /** The shared watch ended: end every client watch (they resume from their last revision) and reopen. */
  private restart(err: Error): void {
    this.opts.onRestart?.(err);
    for (const sub of this.subscribers) {
      sub.closed = true;
      sub.onError(err);
    }
    this.subscribers.clear();
    this.buffer = [];
    this.bufferStart = Number.POSITIVE_INFINITY;
    // A short pause keeps a store that is down from turning this into a busy loop.
    if (!this.stopped) this.opts.clock.setTimer(500, () => !this.stopped && this.open(this.latest + 1));
  }

  private fromHistory(options: SubscribeOptions): StoreWatch {
    return this.opts.store.watch(options.keyPrefix, { fromRevision: options.fromRevision, onEvents: options.onEvents, onError: options.onError });
  }
}
