// Test helper: wraps a ListWatcher so a test can see every event once its consumer has handled it, hold the next watch back
// (a gate), and cut the current watch as a dropped connection would.

import type { WatchEvent } from "../../../api/client/api-types.js";
import type { KubeObject } from "../../../api/machinery/meta.js";
import type { ListWatcher } from "../list-watcher.js";
import { deferred, type Deferred } from "./deferred.js";

export class ObservedSource<T extends KubeObject> implements ListWatcher<T> {
  readonly events: WatchEvent<T>[] = [];
  readonly watchedFrom: string[] = [];
  lists = 0;
  private gate: Deferred<void> | undefined;
  private current: AbortController | undefined;
  private listeners = new Set<() => void>();

  constructor(private readonly inner: ListWatcher<T>) {}

  get resource(): string {
    return this.inner.resource;
  }

  list(opts: { signal: AbortSignal }) {
    this.lists++;
    return this.inner.list(opts);
  }

  async *watch(opts: { resourceVersion: string; signal: AbortSignal }): AsyncGenerator<WatchEvent<T>> {
    if (this.gate) await this.gate.promise;
    this.watchedFrom.push(opts.resourceVersion);
    const abort = new AbortController();
    this.current = abort;
    const onAbort = () => abort.abort();
    opts.signal.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const event of this.inner.watch({ resourceVersion: opts.resourceVersion, signal: abort.signal })) {
        yield event;
        // The consumer asked for the next event, so it has handled this one.
        this.events.push(event);
        for (const l of this.listeners) l();
      }
    } finally {
      opts.signal.removeEventListener("abort", onAbort);
    }
  }

  /** Holds every later watch until open(). */
  close(): void {
    this.gate ??= deferred<void>();
  }

  open(): void {
    this.gate?.resolve();
    this.gate = undefined;
  }

  /** Ends the current watch, as a dropped connection would. */
  cut(): void {
    this.current?.abort();
  }

  /** Resolves once a passing event satisfies the predicate (or one already has). */
  until(predicate: (events: readonly WatchEvent<T>[]) => boolean): Promise<void> {
    if (predicate(this.events)) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = () => {
        if (!predicate(this.events)) return;
        this.listeners.delete(listener);
        resolve();
      };
      this.listeners.add(listener);
    });
  }
}
