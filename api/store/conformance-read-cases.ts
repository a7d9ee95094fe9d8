// Conformance cases for reads: get, list (prefix, paging, snapshots) and compaction.

import { expect } from "vitest";
import type { ConformanceCase } from "./conformance-case.js";
import type { KeyValue, Store } from "./store.js";
import { CompactedError } from "./store.js";

const keysOf = (items: KeyValue[]): string[] => items.map((kv) => kv.key);

async function createAll(store: Store, keys: string[]): Promise<KeyValue[]> {
  const created: KeyValue[] = [];
  for (const key of keys) created.push(await store.create(key, `value of ${key}`));
  return created;
}

export const readCases: ConformanceCase[] = [
  {
    name: "gets undefined for a key that never existed or was deleted",
    async run(store) {
      expect(await store.get("/r/never")).toBeUndefined();
      await store.create("/r/gone", "1");
      await store.delete("/r/gone");
      expect(await store.get("/r/gone")).toBeUndefined();
    },
  },
  {
    name: "lists the keys under a prefix in key order, leaving out neighbours and deleted keys",
    async run(store) {
      await createAll(store, ["/r/b", "/r/a/nested", "/r/c", "/r/a", "/q", "/rx", "/r0"]);
      await store.delete("/r/c");
      const listed = await store.list("/r/");
      expect(keysOf(listed.items)).toEqual(["/r/a", "/r/a/nested", "/r/b"]);
      expect(listed.items[0]).toEqual(await store.get("/r/a"));
      expect(listed.more).toBe(false);
      expect(keysOf((await store.list("")).items)).toEqual(["/q", "/r/a", "/r/a/nested", "/r/b", "/r0", "/rx"]);
    },
  },
  {
    name: "pages through a list with limit and startAfter, reporting more until the last page",
    async run(store) {
      await createAll(store, ["/p/e", "/p/a", "/p/d", "/p/b", "/p/c", "/pz"]);
      const first = await store.list("/p/", { limit: 2 });
      expect([keysOf(first.items), first.more]).toEqual([["/p/a", "/p/b"], true]);
      const second = await store.list("/p/", { limit: 2, startAfter: "/p/b", revision: first.revision });
      expect([keysOf(second.items), second.more, second.revision]).toEqual([["/p/c", "/p/d"], true, first.revision]);
      const last = await store.list("/p/", { limit: 2, startAfter: "/p/d", revision: first.revision });
      expect([keysOf(last.items), last.more]).toEqual([["/p/e"], false]);
      const exact = await store.list("/p/", { limit: 5 });
      expect([exact.items.length, exact.more]).toEqual([5, false]);
      expect(keysOf((await store.list("/p/", { startAfter: "/p/c" })).items)).toEqual(["/p/d", "/p/e"]);
    },
  },
  {
    name: "lists at an older revision the snapshot as it was then",
    async run(store) {
      const [a, b] = await createAll(store, ["/s/a", "/s/b"]);
      const then = await store.currentRevision();
      await store.update("/s/a", "changed", a?.modRevision ?? 0);
      await store.delete("/s/b");
      await store.create("/s/c", "new");
      const old = await store.list("/s/", { revision: then });
      expect(old).toEqual({ items: [a, b], revision: then, more: false });
      const now = await store.list("/s/");
      expect([keysOf(now.items), now.items[0]?.value, now.revision]).toEqual([["/s/a", "/s/c"], "changed", then + 3]);
    },
  },
  {
    name: "reports the current revision for a list without one",
    async run(store) {
      await store.create("/s/a", "1");
      const listed = await store.list("/s/");
      expect(listed.revision).toBe(await store.currentRevision());
      expect((await store.list("/nothing/")).revision).toBe(listed.revision);
    },
  },
  {
    name: "rejects a list at a revision the store has not reached",
    async run(store) {
      await store.create("/s/a", "1");
      const current = await store.currentRevision();
      await expect(store.list("/s/", { revision: current + 100 })).rejects.toThrow(/newer than the store's current revision/);
    },
  },
  {
    name: "fails reads below a compacted revision with CompactedError and keeps the snapshot at it",
    async run(store) {
      const a = await store.create("/k/a", "1");
      await store.create("/k/b", "1");
      await store.update("/k/a", "2", a.modRevision);
      const horizon = await store.currentRevision();
      const snapshot = await store.list("/k/", { revision: horizon });
      await store.delete("/k/b");
      await store.compact(horizon);
      const failure = store.list("/k/", { revision: horizon - 1 });
      await expect(failure).rejects.toBeInstanceOf(CompactedError);
      await expect(failure).rejects.toMatchObject({ requested: horizon - 1, compactRevision: horizon - 1 });
      expect(await store.list("/k/", { revision: horizon })).toEqual(snapshot);
      expect(await store.oldestRevision()).toBe(horizon);
      expect(keysOf((await store.list("/k/")).items)).toEqual(["/k/a"]);
    },
  },
  {
    name: "treats compacting at or below the compacted revision as a no-op",
    async run(store) {
      await store.create("/k/a", "1");
      const horizon = await store.currentRevision();
      await store.create("/k/b", "1");
      await store.compact(horizon);
      await store.compact(horizon);
      await store.compact(horizon - 1);
      expect(await store.oldestRevision()).toBe(horizon);
    },
  },
  {
    name: "keeps every live key readable after compacting at the current revision",
    async run(store) {
      const a = await store.create("/k/a", "1");
      let b = await store.create("/k/b", "1");
      for (let i = 2; i <= 5; i++) b = await store.update("/k/b", String(i), b.modRevision);
      const c = await store.create("/k/c", "1");
      await store.delete("/k/c", c.modRevision);
      await store.compact(await store.currentRevision());
      expect((await store.list("/k/")).items).toEqual([a, b]);
      expect(await store.get("/k/b")).toEqual(b);
      expect(await store.get("/k/c")).toBeUndefined();
      await expect(store.create("/k/c", "again")).resolves.toMatchObject({ key: "/k/c" });
    },
  },
  {
    name: "reports an oldest revision no newer than the current one",
    async run(store) {
      await store.create("/k/a", "1");
      expect(await store.oldestRevision()).toBeLessThanOrEqual(await store.currentRevision());
      expect(await store.oldestRevision()).toBeGreaterThanOrEqual(1);
    },
  },
];
