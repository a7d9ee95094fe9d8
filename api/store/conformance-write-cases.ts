// Conformance cases for writes: revisions, create/update/delete with compare-and-swap, concurrency.

import { expect } from "vitest";
import type { ConformanceCase } from "./conformance-case.js";
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreUnavailableError } from "./store.js";

export const writeCases: ConformanceCase[] = [
  {
    name: "assigns every write the next global revision",
    async run(store) {
      const a = await store.create("/w/a", "1");
      const b = await store.create("/w/b", "1");
      const a2 = await store.update("/w/a", "2", a.modRevision);
      const deleted = await store.delete("/w/b");
      expect([b.modRevision, a2.modRevision, deleted.revision]).toEqual([a.modRevision + 1, a.modRevision + 2, a.modRevision + 3]);
      expect(await store.currentRevision()).toBe(a.modRevision + 3);
    },
  },
  {
    name: "creates a key whose createRevision equals its modRevision and reads it back",
    async run(store) {
      const created = await store.create("/w/a", "value");
      expect(created).toEqual({ key: "/w/a", value: "value", createRevision: created.modRevision, modRevision: created.modRevision });
      expect(await store.get("/w/a")).toEqual(created);
    },
  },
  {
    name: "rejects creating an existing key with KeyExistsError and changes nothing",
    async run(store) {
      const created = await store.create("/w/a", "first");
      const failure = store.create("/w/a", "second");
      await expect(failure).rejects.toBeInstanceOf(KeyExistsError);
      await expect(failure).rejects.toMatchObject({ key: "/w/a" });
      expect(await store.get("/w/a")).toEqual(created);
      expect(await store.currentRevision()).toBe(created.modRevision);
    },
  },
  {
    name: "creates a deleted key again with a new createRevision",
    async run(store) {
      const first = await store.create("/w/a", "1");
      await store.delete("/w/a");
      const again = await store.create("/w/a", "2");
      expect(again.createRevision).toBe(first.modRevision + 2);
      expect(await store.get("/w/a")).toEqual(again);
    },
  },
  {
    name: "updates a key at its current revision and keeps its createRevision",
    async run(store) {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created.modRevision);
      expect(updated).toEqual({ key: "/w/a", value: "2", createRevision: created.modRevision, modRevision: created.modRevision + 1 });
      expect(await store.get("/w/a")).toEqual(updated);
    },
  },
  {
    name: "rejects an update at a stale revision with RevisionConflictError carrying the actual revision",
    async run(store) {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created.modRevision);
      const failure = store.update("/w/a", "3", created.modRevision);
      await expect(failure).rejects.toBeInstanceOf(RevisionConflictError);
      await expect(failure).rejects.toMatchObject({ key: "/w/a", expected: created.modRevision, actual: updated.modRevision });
      expect((await store.get("/w/a"))?.value).toBe("2");
    },
  },
  {
    name: "rejects updating a missing or deleted key with KeyNotFoundError",
    async run(store) {
      await expect(store.update("/w/never", "1", 1)).rejects.toBeInstanceOf(KeyNotFoundError);
      const created = await store.create("/w/gone", "1");
      await store.delete("/w/gone");
      await expect(store.update("/w/gone", "2", created.modRevision)).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(store.update("/w/never", "1", 0)).rejects.toBeInstanceOf(KeyNotFoundError);
      expect(await store.get("/w/never")).toBeUndefined();
    },
  },
  {
    name: "deletes a key and returns its last value with the delete's revision",
    async run(store) {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created.modRevision);
      const deleted = await store.delete("/w/a");
      expect(deleted).toEqual({ kv: updated, revision: updated.modRevision + 1 });
      expect(await store.get("/w/a")).toBeUndefined();
    },
  },
  {
    name: "deletes at the expected revision and rejects a stale one with RevisionConflictError",
    async run(store) {
      const created = await store.create("/w/a", "1");
      const updated = await store.update("/w/a", "2", created.modRevision);
      const stale = store.delete("/w/a", created.modRevision);
      await expect(stale).rejects.toMatchObject({ code: "RevisionConflict", expected: created.modRevision, actual: updated.modRevision });
      expect((await store.delete("/w/a", updated.modRevision)).kv).toEqual(updated);
    },
  },
  {
    name: "rejects deleting a missing key with KeyNotFoundError, guarded or not",
    async run(store) {
      await expect(store.delete("/w/never")).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(store.delete("/w/never", 5)).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(store.delete("/w/never", 0)).rejects.toBeInstanceOf(KeyNotFoundError);
    },
  },
  {
    name: "acknowledges 200 concurrent creates with distinct consecutive revisions",
    async run(store) {
      const before = await store.currentRevision();
      const keys = Array.from({ length: 200 }, (_, i) => `/w/many/${String(i).padStart(3, "0")}`);
      const created = await Promise.all(keys.map((key) => store.create(key, key)));
      const revisions = created.map((kv) => kv.modRevision).sort((a, b) => a - b);
      expect(revisions).toEqual(Array.from({ length: 200 }, (_, i) => before + 1 + i));
      const listed = await store.list("/w/many/");
      expect(listed.items.map((kv) => kv.key)).toEqual(keys);
    },
  },
  {
    name: "lets exactly one of many concurrent updates at the same revision win",
    async run(store) {
      const created = await store.create("/w/a", "0");
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.update("/w/a", `writer-${i}`, created.modRevision)),
      );
      const winners = results.filter((r) => r.status === "fulfilled");
      const losers = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      expect(winners).toHaveLength(1);
      const winner = winners[0]?.status === "fulfilled" ? winners[0].value : undefined;
      expect(losers).toHaveLength(19);
      for (const loser of losers) expect(loser).toMatchObject({ code: "RevisionConflict", actual: winner?.modRevision });
      expect(await store.get("/w/a")).toEqual(winner);
    },
  },
  {
    name: "fails only the conflicting writes among concurrent ones",
    async run(store) {
      const existing = await store.create("/w/existing", "1");
      const [duplicate, fresh, stale, good] = await Promise.allSettled([
        store.create("/w/existing", "dup"),
        store.create("/w/fresh", "1"),
        store.update("/w/existing", "stale", existing.modRevision - 1),
        store.update("/w/existing", "2", existing.modRevision),
      ]);
      expect(duplicate).toMatchObject({ status: "rejected", reason: { code: "KeyExists" } });
      expect(fresh).toMatchObject({ status: "fulfilled", value: { key: "/w/fresh" } });
      expect(stale).toMatchObject({ status: "rejected", reason: { code: "RevisionConflict" } });
      expect(good).toMatchObject({ status: "fulfilled", value: { value: "2" } });
    },
  },
  {
    name: "answers ping while open and fails reads and writes with StoreUnavailableError once closed",
    async run(store) {
      await store.ping();
      await store.close();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.create("/w/a", "1")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.get("/w/a")).rejects.toBeInstanceOf(StoreUnavailableError);
    },
  },
];
