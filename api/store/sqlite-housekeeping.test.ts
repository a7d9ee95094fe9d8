import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.js";
import { StoreCompactor } from "./store-compactor.js";
import { isStoreError } from "./store.js";

const tempDirs: string[] = [];
const storePath = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "claw-housekeeping-"));
  tempDirs.push(dir);
  return join(dir, "store.db");
};
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const value = (i: number, bytes = 2048) => `${i}:`.padEnd(bytes, "x");

/** One round of churn: every key updated `updates` times, a tenth deleted and created again. */
async function churn(store: SqliteStore, keys: number, updates: number): Promise<void> {
  for (let round = 0; round < updates; round++) {
    await Promise.all(Array.from({ length: keys }, async (_, i) => {
      const key = `/churn/${i}`;
      const live = await store.get(key);
      if (!live) await store.create(key, value(round));
      else if (i % 10 === round % 10) await store.delete(key, live.modRevision);
      else await store.update(key, value(round), live.modRevision);
    }));
  }
}

/** Rows of `revisions` as SQLite holds them, read after the store closed (it holds an exclusive lock). */
function rowsOnDisk(path: string): { id: number; name: string; deleted: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT id, name, deleted FROM revisions ORDER BY id").all() as { id: number; name: string; deleted: number }[];
  } finally {
    db.close();
  }
}

describe("embedded store housekeeping", () => {
  it("drops every row below the compaction point that no later read can see, across several compactions", async () => {
    const path = storePath();
    const store = openSqliteStore({ path });
    const a = await store.create("/a", "1");
    const b = await store.create("/b", "1");
    await store.compact(b.modRevision);
    // Superseded after the first compaction: the second must still find /a's old row.
    const a2 = await store.update("/a", "2", a.modRevision);
    const gone = await store.delete("/b", b.modRevision);
    await store.compact(gone.revision);
    const c = await store.create("/c", "1");
    await store.compact(c.modRevision);
    const oldest = await store.oldestRevision();
    await expect(store.list("/", { revision: oldest - 1 })).rejects.toSatisfy((err) => isStoreError(err, "Compacted"));
    expect((await store.list("/")).items.map((kv) => [kv.key, kv.value])).toEqual([["/a", "2"], ["/c", "1"]]);
    await store.close();
    // Only the live rows remain: /a's update and /c; /a's first row and /b's create and tombstone are gone.
    expect(rowsOnDisk(path).map((row) => row.id)).toEqual([a2.modRevision, c.modRevision]);
  });

  it("truncates the WAL and gives the freed pages back after many writes, deletes and a compaction", async () => {
    const path = storePath();
    const store = openSqliteStore({ path });
    await churn(store, 400, 6);
    const before = store.fileSizes();
    expect(before.walBytes).toBeGreaterThan(0);
    expect(before.autoVacuum).toBe("incremental");
    await store.compact(await store.currentRevision());
    const report = await store.housekeep({ maxVacuumSteps: 10_000 });
    const after = store.fileSizes();
    expect(report.walTruncated).toBe(true);
    expect(after.walBytes).toBe(0);
    expect(report.pagesFreed).toBeGreaterThan(0);
    expect(after.freePages).toBe(0);
    expect(after.dbBytes).toBeLessThan(before.dbBytes);
    await store.close();
  });

  it("keeps the database file from growing under steady churn with compaction on a schedule", async () => {
    const path = storePath();
    const store = openSqliteStore({ path });
    const clock = new FakeClock();
    const runs: Promise<unknown>[] = [];
    const compactor = new StoreCompactor({ store, clock, intervalMs: 60_000, housekeeping: () => store.housekeep({ maxVacuumSteps: 10_000 }) });
    const sizes: number[] = [];
    for (let cycle = 0; cycle < 8; cycle++) {
      await churn(store, 300, 3);
      runs.push(compactor.runOnce());
      await runs.at(-1);
      sizes.push(store.fileSizes().dbBytes);
    }
    await store.close();
    // The first two runs only record a revision, then compact; after that the size holds steady.
    const settled = sizes.slice(3);
    expect(Math.max(...settled)).toBeLessThanOrEqual(Math.min(...settled) * 1.1);
    expect(sizes.at(-1)).toBeLessThanOrEqual(sizes[2]! * 1.1);
  });

  it("compacts on its interval to the revision seen one interval before", async () => {
    const store = openSqliteStore({ path: storePath() });
    const clock = new FakeClock();
    const done: number[] = [];
    let finished: () => void = () => undefined;
    const compactor = new StoreCompactor({ store, clock, intervalMs: 1000, onRun: (run) => (run.compactedTo !== undefined && done.push(run.compactedTo), finished()) });
    compactor.start();
    await store.create("/j", "1");
    const first = await store.create("/k", "1");
    let ran = new Promise<void>((resolve) => (finished = resolve));
    clock.step(1000);
    await ran;
    expect(await store.oldestRevision()).toBe(1);
    await store.update("/k", "2", first.modRevision);
    ran = new Promise<void>((resolve) => (finished = resolve));
    clock.step(1000);
    await ran;
    expect(done).toEqual([first.modRevision]);
    expect(await store.oldestRevision()).toBe(first.modRevision);
    await compactor.stop();
    await store.close();
  });
});
