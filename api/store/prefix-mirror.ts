// The objects under one store prefix, held in memory and kept current by a watch (list, then watch from the
// list's revision; a watch that ends is restarted with a fresh list), for modules that act on every change
// of a kind without going through the API: the nodes module's view of Nodes, Certificates and BlockRules.

import type { Logger } from "pino";
import type { KubeObject } from "../machinery/meta.js";
import { decodeObject } from "./keys.js";
import type { Store, StoreWatch, WatchEvent } from "./store.js";

export class PrefixMirror<T extends KubeObject> {
  private readonly byName = new Map<string, T>();
  private watch: StoreWatch | undefined;
  private stopped = false;

  constructor(
    private readonly opts: {
      store: Store;
      prefix: string;
      logger: Logger;
      /** Called after each batch of changes is applied, with the names that changed (deleted ones included). */
      onChange: (names: readonly string[], deleted: readonly T[]) => void;
    },
  ) {}

  async start(): Promise<void> {
    const page = await this.opts.store.list(this.opts.prefix);
    const before = new Map(this.byName);
    this.byName.clear();
    for (const kv of page.items) {
      const obj = decodeObject<T>(kv);
      this.byName.set(obj.metadata.name ?? "", obj);
    }
    this.watch?.close();
    this.watch = this.opts.store.watch(this.opts.prefix, {
      fromRevision: page.revision + 1,
      onEvents: (events) => this.apply(events),
      onError: (err) => {
        if (this.stopped) return;
        this.opts.logger.warn({ err: err.message, prefix: this.opts.prefix }, "a watch ended; listing again");
        void this.start().catch((e: Error) => this.opts.logger.error({ err: e.message, prefix: this.opts.prefix }, "could not restart a watch"));
      },
    });
    const gone = [...before.values()].filter((o) => !this.byName.has(o.metadata.name ?? ""));
    if (before.size > 0 || this.byName.size > 0) this.opts.onChange([...new Set([...before.keys(), ...this.byName.keys()])], gone);
  }

  stop(): void {
    this.stopped = true;
    this.watch?.close();
  }

  get(name: string): T | undefined {
    return this.byName.get(name);
  }

  values(): IterableIterator<T> {
    return this.byName.values();
  }

  private apply(events: readonly WatchEvent[]): void {
    const names: string[] = [];
    const deleted: T[] = [];
    for (const event of events) {
      const name = event.kv.key.slice(this.opts.prefix.length);
      names.push(name);
      if (event.type === "delete") {
        const old = this.byName.get(name);
        if (old) deleted.push(old);
        this.byName.delete(name);
      } else this.byName.set(name, decodeObject<T>(event.kv));
    }
    if (names.length > 0) this.opts.onChange(names, deleted);
  }
}
