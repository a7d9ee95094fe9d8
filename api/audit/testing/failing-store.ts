// A Store wrapper whose writes (or everything) can be made to fail, for fail-closed tests.

import type { Store } from "../../store/store.js";
import { StoreUnavailableError } from "../../store/store.js";

export interface FailingStore extends Store {
  /** "writes": create/update/delete fail; "all": reads fail too; "none": pass through. */
  failing: "none" | "writes" | "all";
}

export function failingStore(inner: Store): FailingStore {
  const down = () => Promise.reject(new StoreUnavailableError("test: the store is down"));
  const wrapper: FailingStore = {
    failing: "none",
    get: (key) => (wrapper.failing === "all" ? down() : inner.get(key)),
    list: (prefix, options) => (wrapper.failing === "all" ? down() : inner.list(prefix, options)),
    create: (key, value) => (wrapper.failing !== "none" ? down() : inner.create(key, value)),
    update: (key, value, rev) => (wrapper.failing !== "none" ? down() : inner.update(key, value, rev)),
    delete: (key, rev) => (wrapper.failing !== "none" ? down() : inner.delete(key, rev)),
    txn: (compares, ops) => (wrapper.failing !== "none" ? down() : inner.txn(compares, ops)),
    watch: (prefix, options) => inner.watch(prefix, options),
    currentRevision: () => inner.currentRevision(),
    compact: (revision) => inner.compact(revision),
    oldestRevision: () => inner.oldestRevision(),
    ping: () => (wrapper.failing === "all" ? down() : inner.ping()),
    close: () => inner.close(),
  };
  return wrapper;
}

/** Lets pending I/O and immediates run until cond holds (no timers, no sleeping); throws after many turns. */
export async function eventually(cond: () => boolean, turns = 5000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("condition not reached");
}
