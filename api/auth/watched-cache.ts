// A read-through cache of store keys under one prefix, kept correct by a store watch: every change under
// the prefix drops the entry, so a read after a write on this server sees the write (the embedded store
// delivers watch events at commit), and other servers on etcd see it within the watch's delay.
//
// A read that raced a change is not kept (an epoch counts changes); while the watch is down the cache is
// bypassed, so a dropped watch never serves stale data.

import type { Clock, Timer } from "../machinery/clock.js";
import type { KeyValue, Store, StoreWatch } from "../store/store.js";

export interface WatchedCacheOptions<T> {
  store: Store;
  prefix: string;
  clock: Clock;
  /** Turns a stored value into what callers use (parsed once per change). */
  decode: (kv: KeyValue) => T;
  /** Most entries kept; when full the cache starts over. */
  maxEntries?: number;
  /** Remember that a key is absent (default true); off where callers choose the names, so guesses cannot flush it. */
  cacheAbsent?: boolean;
  onWatchError?: (err: Error) => void;
}

interface Entry<T> {
  value: T | undefined;
}

const RESTART_MS = [100, 500, 1000, 5000];

export class WatchedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private watch: StoreWatch | undefined;
  private synced = false;
  private epoch = 0;
  private restarts = 0;
  private restartTimer: Timer | undefined;
  private stopped = false;

  constructor(private readonly opts: WatchedCacheOptions<T>) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.openWatch();
  }

  stop(): void {
    this.stopped = true;
    this.restartTimer?.cancel();
    this.watch?.close();
    this.watch = undefined;
    this.synced = false;
    this.entries.clear();
  }

  /** The cached entry without I/O: `{ value }` (value undefined when the key is absent), or undefined on a miss. */
  peek(name: string): { value: T | undefined } | undefined {
    return this.synced ? this.entries.get(this.opts.prefix + name) : undefined;
  }

  /** The decoded value of `prefix + name`, or undefined when absent. */
  async get(name: string): Promise<T | undefined> {
    const key = this.opts.prefix + name;
    const hit = this.synced ? this.entries.get(key) : undefined;
    if (hit) return hit.value;
    return this.load(key);
  }

  private async load(key: string): Promise<T | undefined> {
    const epoch = this.epoch;
    const kv = await this.opts.store.get(key);
    const value = kv ? this.opts.decode(kv) : undefined;
    if (this.synced && epoch === this.epoch && (kv || this.opts.cacheAbsent !== false)) {
      if (this.entries.size >= (this.opts.maxEntries ?? 10_000)) this.entries.clear();
      this.entries.set(key, { value });
    }
    return value;
  }

  private async openWatch(): Promise<void> {
    const from = (await this.opts.store.currentRevision()) + 1;
    if (this.stopped) return;
    this.watch = this.opts.store.watch(this.opts.prefix, {
      fromRevision: from,
      onEvents: (events) => {
        this.epoch++;
        for (const e of events) this.entries.delete(e.kv.key);
      },
      onError: (err) => this.restart(err),
    });
    this.synced = true;
    this.restarts = 0;
  }

  private restart(err: Error): void {
    this.synced = false;
    this.epoch++;
    this.entries.clear();
    this.watch = undefined;
    if (this.stopped) return;
    this.opts.onWatchError?.(err);
    const delay = RESTART_MS[Math.min(this.restarts++, RESTART_MS.length - 1)]!;
    this.restartTimer = this.opts.clock.setTimer(delay, () => {
      this.openWatch().catch((e: unknown) => this.restart(e instanceof Error ? e : new Error(String(e))));
    });
  }
}
