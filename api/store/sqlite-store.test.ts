import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeStoreConformance } from "./conformance.js";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { StoreUnavailableError } from "./store.js";
import { recordWatch } from "./watch-recorder.js";

const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "claw-sqlite-"));
  tempDirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeStoreConformance("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "claw-sqlite-"));
  const store = openSqliteStore({ path: join(dir, "store.db") });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("sqlite store", () => {
  const cases: { name: string; run: (dir: string) => Promise<void> }[] = [
    {
      name: "reopens a file with its values, revision and compaction intact",
      async run(dir) {
        const path = join(dir, "store.db");
        const first = openSqliteStore({ path });
        const a = await first.create("/a", "1");
        await first.update("/a", "2", a.modRevision);
        const b = await first.create("/b", "1");
        await first.delete("/b");
        await first.compact(b.modRevision);
        await first.close();
        const second = openSqliteStore({ path });
        expect(await second.currentRevision()).toBe(b.modRevision + 1);
        expect(await second.oldestRevision()).toBe(b.modRevision);
        expect((await second.list("/")).items.map((kv) => [kv.key, kv.value])).toEqual([["/a", "2"]]);
        expect((await second.create("/c", "1")).modRevision).toBe(b.modRevision + 2);
        await second.close();
      },
    },
    {
      name: "creates the data directory when it is missing",
      async run(dir) {
        const store = openSqliteStore({ path: join(dir, "nested", "deeper", "store.db") });
        await store.create("/a", "1");
        await store.close();
      },
    },
    {
      name: "refuses a second store on a file that one already holds open, saying why",
      async run(dir) {
        const path = join(dir, "store.db");
        const owner = openSqliteStore({ path });
        await owner.create("/a", "1");
        expect(() => openSqliteStore({ path, lockTimeoutMs: 10 })).toThrow(/locked by another process/);
        await owner.close();
        const next = openSqliteStore({ path });
        expect((await next.get("/a"))?.value).toBe("1");
        await next.close();
      },
    },
    {
      name: "refuses a file that is not a database, saying so",
      async run(dir) {
        const path = join(dir, "store.db");
        writeFileSync(path, "this is not a database, just some text that is long enough ".repeat(100));
        expect(() => openSqliteStore({ path })).toThrow(StoreUnavailableError);
        expect(() => openSqliteStore({ path })).toThrow(/not a SQLite database/);
      },
    },
    {
      name: "commits writes issued in the same tick in one transaction",
      async run(dir) {
        const store = openSqliteStore({ path: join(dir, "store.db") });
        const before = store.stats();
        await Promise.allSettled([...Array.from({ length: 50 }, (_, i) => store.create(`/k/${i}`, "v")), store.create("/k/1", "dup")]);
        expect(store.stats()).toEqual({ commits: before.commits + 1, writes: before.writes + 51 });
        await store.close();
      },
    },
    {
      name: "commits several txns and plain writes issued in the same tick in one transaction",
      async run(dir) {
        const store = openSqliteStore({ path: join(dir, "store.db") });
        const seed = await store.create("/seed", "1");
        const before = store.stats();
        const results = await Promise.all([
          ...Array.from({ length: 5 }, (_, i) => store.txn([{ key: `/t/${i}`, absent: true }], [{ kind: "put", key: `/t/${i}`, value: "v" }])),
          store.txn([{ key: "/seed", modRevision: seed.modRevision + 1 }], [{ kind: "delete", key: "/seed" }]),
          store.create("/plain", "v"),
        ]);
        expect(results.slice(0, 5).map((r) => "succeeded" in r && r.succeeded)).toEqual([true, true, true, true, true]);
        expect(results[5]).toMatchObject({ succeeded: false, failedCompares: [0] });
        expect(store.stats()).toEqual({ commits: before.commits + 1, writes: before.writes + 7 });
        expect(await store.get("/seed")).toEqual(seed);
        await store.close();
      },
    },
    {
      name: "evaluates a txn's compares after the writes queued before it in the same batch",
      async run(dir) {
        const store = openSqliteStore({ path: join(dir, "store.db") });
        const [created, txn] = await Promise.all([
          store.create("/a", "1"),
          store.txn([{ key: "/a", absent: true }], [{ kind: "put", key: "/a", value: "2" }]),
        ]);
        expect(txn).toEqual({ succeeded: false, revision: created.modRevision, failedCompares: [0], currentModRevisions: [created.modRevision] });
        expect(store.stats().commits).toBe(1);
        await store.close();
      },
    },
    {
      name: "hands a txn's events to live watches as one batch",
      async run(dir) {
        const store = openSqliteStore({ path: join(dir, "store.db") });
        const watch = recordWatch(store, { prefix: "/", fromRevision: 1 });
        const result = await store.txn([], ["/a", "/b", "/c"].map((key) => ({ kind: "put" as const, key, value: "1" })));
        expect(result.revision).toBe(3);
        expect((await watch.untilEvents(3)).map((e) => e.kv.modRevision)).toEqual([1, 2, 3]);
        expect(watch.batches).toHaveLength(1);
        watch.close();
        await store.close();
      },
    },
    {
      name: "commits writes already submitted when it closes",
      async run(dir) {
        const path = join(dir, "store.db");
        const store = openSqliteStore({ path });
        const pending = store.create("/a", "1");
        await store.close();
        await expect(pending).resolves.toMatchObject({ key: "/a" });
        const reopened = openSqliteStore({ path });
        expect((await reopened.get("/a"))?.value).toBe("1");
        await reopened.close();
      },
    },
    {
      name: "ends only the watch whose callback throws, with that error",
      async run(dir) {
        const store = openSqliteStore({ path: join(dir, "store.db") });
        const failure = new Error("consumer bug");
        let failed: Error | undefined;
        store.watch("/", { fromRevision: 1, onEvents: () => { throw failure; }, onError: (err) => (failed = err) });
        const healthy = recordWatch(store, { prefix: "/", fromRevision: 1 });
        await store.create("/a", "1");
        await store.create("/b", "1");
        expect((await healthy.untilEvents(2)).map((e) => e.kv.key)).toEqual(["/a", "/b"]);
        expect(failed).toBe(failure);
        healthy.close();
        await store.close();
      },
    },
    {
      name: "ends open watches with StoreUnavailableError when it closes",
      async run(dir) {
        const store: SqliteStore = openSqliteStore({ path: join(dir, "store.db") });
        const watch = recordWatch(store, { prefix: "/", fromRevision: 1 });
        await store.close();
        expect(await watch.untilError()).toBeInstanceOf(StoreUnavailableError);
      },
    },
  ];
  for (const testCase of cases) it(testCase.name, () => testCase.run(tempDir()));
});
