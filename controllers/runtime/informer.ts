// An informer: lists a resource, then watches it from the list's resourceVersion, keeping a shared cache
// and telling handlers what changed. It relists on 410 Gone and reconnects with capped backoff otherwise.

import type { Logger } from "pino";
import type { WatchEvent } from "../../api/client/api-types.js";
import { pauseUnlessAborted, type Clock } from "../../api/machinery/clock.js";
import { isGone } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";
import { errorText } from "./error-text.js";
import type { ListWatcher } from "./list-watcher.js";
import { ObjectCache, type IndexFunc } from "./object-cache.js";

export interface InformerHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  source: ListWatcher<T>;
  clock: Clock;
  logger: Logger;
  /** Delay before reconnecting after an error other than 410 Gone. Default 500 ms, doubling to 30 s. */
  backoff?: BackoffPolicy;
}

export interface InformerStats {
  lists: number;
  watches: number;
  bookmarks: number;
  relistsOnGone: number;
  reconnects: number;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

type Waiter = { resolve: () => void; reject: (err: Error) => void };

export class Informer<T extends KubeObject> {
  readonly stats: InformerStats = { lists: 0, watches: 0, bookmarks: 0, relistsOnGone: 0, reconnects: 0 };
  private readonly cache = new ObjectCache<T>();
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly backoff: BackoffPolicy;
  private synced = false;
  private rv = "";
  private failures = 0;
  private goneStreak = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private waiters: Waiter[] = [];

  constructor(private readonly opts: InformerOptions<T>) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
  }

  get resource(): string {
    return this.opts.source.resource;
  }

  /** The last revision seen: the list's, an event's or a bookmark's. */
  get resourceVersion(): string {
    return this.rv;
  }

  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w.reject(new Error(`the ${this.resource} informer stopped before its first list`));
  }

  /** True once the first list is in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  get(name: string): T | undefined {
    return this.cache.get(name);
  }

  list(): T[] {
    return this.cache.list();
  }

  byLabel(selector: string): T[] {
    return this.cache.byLabel(selector);
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.cache.addIndex(name, fn);
  }

  /** Adds a handler (told of the objects already cached, as additions); returns its removal. */
  addHandler(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    if (this.synced) for (const obj of this.cache.list()) this.call(handler, (h) => h.onAdd?.(obj));
    return () => void this.handlers.delete(handler);
  }

  private async run(signal: AbortSignal): Promise<void> {
    let mustList = true;
    let quietEnds = 0;
    while (!signal.aborted) {
      try {
        if (mustList) {
          await this.relist(signal);
          mustList = false;
        }
        if (signal.aborted) break;
        const events = await this.watchOnce(signal);
        // The server ended the watch: watch again at once, unless it keeps ending without a word.
        quietEnds = events > 0 ? 0 : quietEnds + 1;
        if (quietEnds > 1 && !signal.aborted) await this.pause(backoffDelay(this.backoff, quietEnds - 1), signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          this.stats.relistsOnGone++;
          this.goneStreak++;
          mustList = true;
          this.opts.logger.info({ resource: this.resource, resourceVersion: this.rv }, "watch history compacted (410 Gone); listing again");
          if (this.goneStreak > 1) await this.pause(backoffDelay(this.backoff, this.goneStreak - 1), signal);
          continue;
        }
        this.failures++;
        this.stats.reconnects++;
        const delayMs = backoffDelay(this.backoff, this.failures);
        this.opts.logger.warn({ resource: this.resource, err: errorText(err), retryInMs: delayMs }, mustList ? "list failed; retrying" : "watch failed; reconnecting");
        await this.pause(delayMs, signal);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const list = await this.opts.source.list({ signal });
    this.stats.lists++;
    const delta = this.cache.replace(list.items);
    this.rv = list.metadata.resourceVersion;
    this.failures = 0;
    this.goneStreak = 0;
    for (const obj of delta.added) this.dispatch((h) => h.onAdd?.(obj));
    for (const { old, obj } of delta.updated) this.dispatch((h) => h.onUpdate?.(old, obj));
    for (const obj of delta.deleted) this.dispatch((h) => h.onDelete?.(obj));
    if (!this.synced) {
      this.synced = true;
      for (const w of this.waiters.splice(0)) w.resolve();
    }
  }

  /** One watch, until the server ends it; returns how many events (bookmarks included) it carried. */
  private async watchOnce(signal: AbortSignal): Promise<number> {
    this.stats.watches++;
    let count = 0;
    for await (const event of this.opts.source.watch({ resourceVersion: this.rv, signal })) {
      count++;
      this.failures = 0;
      this.apply(event);
    }
    return count;
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === "BOOKMARK") {
      this.stats.bookmarks++;
      this.rv = event.object.metadata.resourceVersion;
      return;
    }
    const obj = event.object;
    if (obj.metadata.resourceVersion) this.rv = obj.metadata.resourceVersion;
    if (event.type === "DELETED") {
      if (this.cache.remove(obj.metadata.name)) this.dispatch((h) => h.onDelete?.(obj));
      return;
    }
    const old = this.cache.upsert(obj);
    if (old) this.dispatch((h) => h.onUpdate?.(old, obj));
    else this.dispatch((h) => h.onAdd?.(obj));
  }

  private dispatch(fn: (h: InformerHandler<T>) => void): void {
    for (const handler of this.handlers) this.call(handler, fn);
  }

  private call(handler: InformerHandler<T>, fn: (h: InformerHandler<T>) => void): void {
    try {
      fn(handler);
    } catch (err) {
      this.opts.logger.error({ resource: this.resource, err: errorText(err) }, "an informer event handler threw; the informer goes on");
    }
  }

  private pause(ms: number, signal: AbortSignal): Promise<void> {
    return pauseUnlessAborted(this.opts.clock, ms, signal);
  }
}
