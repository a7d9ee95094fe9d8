// Conformance cases for Store.txn: compares, all-or-nothing ops, failure reports, watches, races.
// etcd gives a txn's writes one shared revision, SQLite consecutive ones; cases accept either.

import { expect } from "vitest";
import type { ConformanceCase } from "./conformance-case.js";
import type { TxnOp, TxnOpResult, TxnResult } from "./store.js";
import { StoreUnavailableError, TXN_MAX_OPS } from "./store.js";
import { recordWatch } from "./watch-recorder.js";

/** The op results of a txn that must have succeeded. */
function applied(result: TxnResult): TxnOpResult[] {
  if (!result.succeeded) throw new Error(`expected the txn to succeed, got ${JSON.stringify(result)}`);
  return result.results;
}

/** The revision each write of a txn took (no-op deletes take none). */
const writeRevisions = (results: TxnOpResult[]): number[] =>
  results.flatMap((r) => (r.kind === "put" ? [r.kv.modRevision] : r.deleted ? [r.deleted.revision] : []));

const put = (key: string, value: string): TxnOp => ({ kind: "put", key, value });
const del = (key: string): TxnOp => ({ kind: "delete", key });

export const txnCases: ConformanceCase[] = [
  {
    name: "applies every op of a txn whose compares hold, with nothing between its writes, and watches see them in order",
    async run(store) {
      const a = await store.create("/t/a", "1");
      const b = await store.create("/t/b", "1");
      const before = await store.currentRevision();
      const watch = recordWatch(store, { prefix: "/t/", fromRevision: before + 1 });
      const result = await store.txn(
        [{ key: "/t/a", modRevision: a.modRevision }, { key: "/t/c", absent: true }],
        [put("/t/a", "2"), put("/t/c", "new"), del("/t/b")],
      );
      const results = applied(result);
      const revisions = writeRevisions(results);
      const [ra = 0, rc = 0, rb = 0] = revisions;
      expect(ra).toBe(before + 1);
      const shared = revisions.every((r) => r === ra);
      const consecutive = revisions.every((r, i) => r === ra + i);
      expect(shared || consecutive).toBe(true);
      expect(result.revision).toBe(rb);
      expect(await store.currentRevision()).toBe(result.revision);
      const a2 = { key: "/t/a", value: "2", createRevision: a.createRevision, modRevision: ra };
      const c = { key: "/t/c", value: "new", createRevision: rc, modRevision: rc };
      expect(results).toEqual([
        { kind: "put", kv: a2, prevKv: a },
        { kind: "put", kv: c },
        { kind: "delete", key: "/t/b", deleted: { kv: b, revision: rb } },
      ]);
      expect(await store.get("/t/a")).toEqual(a2);
      expect(await store.get("/t/c")).toEqual(c);
      expect(await store.get("/t/b")).toBeUndefined();
      expect(await watch.untilEvents(3)).toEqual([
        { type: "put", kv: a2, prevKv: a },
        { type: "put", kv: c },
        { type: "delete", kv: { ...b, modRevision: rb } },
      ]);
      watch.close();
    },
  },
  {
    name: "applies nothing when a compare fails and reports the failed compares with each key's current revision",
    async run(store) {
      const a = await store.create("/t/a", "1");
      const a2 = await store.update("/t/a", "2", a.modRevision);
      const b = await store.create("/t/b", "1");
      const before = await store.currentRevision();
      const result = await store.txn(
        [
          { key: "/t/a", modRevision: a2.modRevision },
          { key: "/t/b", absent: true },
          { key: "/t/missing", modRevision: a.modRevision },
          { key: "/t/none", absent: true },
        ],
        [put("/t/a", "3"), del("/t/b"), put("/t/new", "1")],
      );
      expect(result).toEqual({
        succeeded: false,
        revision: before,
        failedCompares: [1, 2],
        currentModRevisions: [a2.modRevision, b.modRevision, 0, 0],
      });
      expect(await store.currentRevision()).toBe(before);
      expect((await store.list("/t/")).items).toEqual([a2, b]);
      // A watch from just after the failed txn sees the next write first: the txn left no events.
      const watch = recordWatch(store, { prefix: "/t/", fromRevision: before + 1 });
      const next = await store.create("/t/next", "1");
      expect(await watch.untilEvents(1)).toEqual([{ type: "put", kv: next }]);
      watch.close();
    },
  },
  {
    name: "fails an absent compare on a live key and passes it once the key is deleted",
    async run(store) {
      const a = await store.create("/t/a", "1");
      const txn = () => store.txn([{ key: "/t/a", absent: true }], [put("/t/a", "again")]);
      expect(await txn()).toMatchObject({ succeeded: false, failedCompares: [0], currentModRevisions: [a.modRevision] });
      const deleted = await store.delete("/t/a");
      const [created] = applied(await txn());
      const revision = deleted.revision + 1;
      expect(created).toEqual({ kind: "put", kv: { key: "/t/a", value: "again", createRevision: revision, modRevision: revision } });
    },
  },
  {
    name: "fails a modRevision compare at a stale revision and passes it at the current one",
    async run(store) {
      const a = await store.create("/t/a", "1");
      const a2 = await store.update("/t/a", "2", a.modRevision);
      const stale = await store.txn([{ key: "/t/a", modRevision: a.modRevision }], [put("/t/a", "3")]);
      expect(stale).toEqual({ succeeded: false, revision: a2.modRevision, failedCompares: [0], currentModRevisions: [a2.modRevision] });
      expect((await store.get("/t/a"))?.value).toBe("2");
      const [written] = applied(await store.txn([{ key: "/t/a", modRevision: a2.modRevision }], [put("/t/a", "3")]));
      expect(written).toEqual({ kind: "put", kv: { ...a2, value: "3", modRevision: a2.modRevision + 1 }, prevKv: a2 });
    },
  },
  {
    name: "creates a missing key with put and updates it with a second put, keeping its createRevision",
    async run(store) {
      const [first] = applied(await store.txn([], [put("/t/k", "1")]));
      const created = first?.kind === "put" ? first.kv : undefined;
      expect(created).toMatchObject({ key: "/t/k", value: "1", createRevision: created?.modRevision });
      const [second] = applied(await store.txn([], [put("/t/k", "2")]));
      const modRevision = (created?.modRevision ?? 0) + 1;
      expect(second).toEqual({ kind: "put", kv: { key: "/t/k", value: "2", createRevision: created?.modRevision, modRevision }, prevKv: created });
      expect(await store.get("/t/k")).toEqual({ key: "/t/k", value: "2", createRevision: created?.modRevision, modRevision });
    },
  },
  {
    name: "deletes with the last value and treats deleting a missing key as a no-op that takes no revision",
    async run(store) {
      const a = await store.create("/t/a", "1");
      const a2 = await store.update("/t/a", "2", a.modRevision);
      const watch = recordWatch(store, { prefix: "/t/", fromRevision: a2.modRevision + 1 });
      const result = await store.txn([], [del("/t/never"), del("/t/a")]);
      expect(result).toEqual({
        succeeded: true,
        revision: a2.modRevision + 1,
        results: [
          { kind: "delete", key: "/t/never" },
          { kind: "delete", key: "/t/a", deleted: { kv: a2, revision: a2.modRevision + 1 } },
        ],
      });
      expect(await watch.untilEvents(1)).toEqual([{ type: "delete", kv: { ...a2, modRevision: a2.modRevision + 1 } }]);
      watch.close();
      const noop = await store.txn([], [del("/t/never")]);
      expect(noop).toEqual({ succeeded: true, revision: a2.modRevision + 1, results: [{ kind: "delete", key: "/t/never" }] });
      expect(await store.currentRevision()).toBe(a2.modRevision + 1);
    },
  },
  {
    name: "lets exactly one of many concurrent txns racing on the same key win, and applies nothing of the others",
    async run(store) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.txn([{ key: "/t/lock", absent: true }], [put("/t/lock", `w${i}`), put(`/t/owner/${i}`, "1")])),
      );
      const winners = results.filter((r) => r.succeeded);
      expect(winners).toHaveLength(1);
      const lock = await store.get("/t/lock");
      const winner = winners[0] ? applied(winners[0]) : [];
      expect(winner[0]).toEqual({ kind: "put", kv: lock });
      for (const loser of results.filter((r) => !r.succeeded)) {
        expect(loser).toMatchObject({ failedCompares: [0], currentModRevisions: [lock?.modRevision] });
      }
      expect((await store.list("/t/owner/")).items).toHaveLength(1);
    },
  },
  {
    name: "settles a txn submitted with plain writes on its own: a failing txn fails neither the writes nor other txns",
    async run(store) {
      const existing = await store.create("/t/existing", "1");
      const [create1, failing, passing, create2, duplicate] = await Promise.allSettled([
        store.create("/t/x1", "1"),
        store.txn([{ key: "/t/existing", absent: true }], [put("/t/y", "1")]),
        store.txn([{ key: "/t/existing", modRevision: existing.modRevision }], [put("/t/existing", "2"), put("/t/z", "1")]),
        store.create("/t/x2", "1"),
        store.create("/t/existing", "dup"),
      ]);
      expect(create1).toMatchObject({ status: "fulfilled", value: { key: "/t/x1" } });
      expect(failing).toMatchObject({ status: "fulfilled", value: { succeeded: false, failedCompares: [0] } });
      expect(passing).toMatchObject({ status: "fulfilled", value: { succeeded: true } });
      expect(create2).toMatchObject({ status: "fulfilled", value: { key: "/t/x2" } });
      expect(duplicate).toMatchObject({ status: "rejected", reason: { code: "KeyExists" } });
      expect((await store.list("/t/")).items.map((kv) => [kv.key, kv.value])).toEqual([
        ["/t/existing", "2"],
        ["/t/x1", "1"],
        ["/t/x2", "1"],
        ["/t/z", "1"],
      ]);
    },
  },
  {
    name: "rejects a txn writing a key twice, comparing a revision below 1 or holding too many ops with RangeError",
    async run(store) {
      const before = await store.currentRevision();
      const many = Array.from({ length: TXN_MAX_OPS + 1 }, (_, i) => put(`/t/many/${i}`, "1"));
      await expect(store.txn([], [put("/t/a", "1"), del("/t/a")])).rejects.toBeInstanceOf(RangeError);
      await expect(store.txn([{ key: "/t/a", modRevision: 0 }], [put("/t/a", "1")])).rejects.toBeInstanceOf(RangeError);
      await expect(store.txn([], many)).rejects.toBeInstanceOf(RangeError);
      expect(applied(await store.txn([], many.slice(0, TXN_MAX_OPS)))).toHaveLength(TXN_MAX_OPS);
      expect((await store.list("/t/")).items).toHaveLength(TXN_MAX_OPS);
      expect(await store.currentRevision()).toBeGreaterThan(before);
    },
  },
  {
    name: "fails a txn with StoreUnavailableError once closed",
    async run(store) {
      await store.close();
      await expect(store.txn([], [put("/t/a", "1")])).rejects.toBeInstanceOf(StoreUnavailableError);
    },
  },
];
