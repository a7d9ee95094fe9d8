// The embedded store fsyncs its WAL off the event loop (sqlite-wal-sync.ts). Until a batch's fsync has
// finished nobody may learn of it: the writer is not answered, reads and watches do not show it and the
// revision does not move. A failed fsync stops every write after it. Each case holds the fsync in its hand.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./sqlite-schema.js";
import { openSqliteStore, SqliteStore } from "./sqlite-store.js";
import { StoreUnavailableError, type WatchEvent } from "./store.js";
import { WalSync, type DurableWrites } from "./sqlite-wal-sync.js";

/** A DurableWrites whose syncs finish (or fail) when the test says so, one at a time in order. */
class HeldSyncs implements DurableWrites {
  readonly pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
  sync(): Promise<void> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  finishAll(): void {
    for (const p of this.pending.splice(0)) p.resolve();
  }
  failNext(err: Error): void {
    this.pending.shift()?.reject(err);
  }
  async close(): Promise<void> {}
}

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function heldStore(): { store: SqliteStore; syncs: HeldSyncs; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "claw-durable-"));
  dirs.push(dir);
  const path = join(dir, "store.db");
  const syncs = new HeldSyncs();
  const store = new SqliteStore(path, openDatabase(path), syncs);
  stores.push(store);
  return { store, syncs, path };
}

/** Lets the event loop run the group commit (setImmediate) and settle what it can. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("a commit is seen only once its fsync has finished", () => {
  it("answers the writer, moves the revision and shows the value to get and list only after the fsync", async () => {
    const { store, syncs } = heldStore();
    const before = await store.currentRevision();
    let answered = false;
    const write = store.create("/k/a", "1").then((kv) => ((answered = true), kv));
    await turn();
    expect(syncs.pending).toHaveLength(1);
    expect(answered).toBe(false);
    expect(await store.currentRevision()).toBe(before);
    expect((await store.list("/k/")).items).toEqual([]);
    syncs.finishAll();
    const kv = await write;
    expect(kv.modRevision).toBe(before + 1);
    expect(await store.currentRevision()).toBe(before + 1);
    expect((await store.get("/k/a"))?.value).toBe("1");
    expect((await store.list("/k/")).items.map((i) => i.value)).toEqual(["1"]);
  });

  it("sends a watch the events of a batch only after its fsync, once, in revision order across batches", async () => {
    const { store, syncs } = heldStore();
    const seen: WatchEvent[] = [];
    store.watch("/k/", { fromRevision: 0, onEvents: (events) => seen.push(...events), onError: () => undefined });
    await turn();
    const first = store.create("/k/a", "1");
    await turn();
    const second = store.create("/k/b", "2");
    await turn();
    expect(syncs.pending).toHaveLength(2);
    expect(seen).toEqual([]);
    syncs.finishAll();
    await Promise.all([first, second]);
    expect(seen.map((e) => e.kv.key)).toEqual(["/k/a", "/k/b"]);
  });

  it("replays to a watch that starts between a commit and its fsync only what is on disk, then the rest live, nothing twice", async () => {
    const { store, syncs } = heldStore();
    await Promise.all([store.create("/k/a", "1"), turn().then(() => syncs.finishAll())]);
    const start = await store.currentRevision();
    const pendingWrite = store.create("/k/b", "2");
    await turn();
    const seen: WatchEvent[] = [];
    store.watch("/k/", { fromRevision: start, onEvents: (events) => seen.push(...events), onError: () => undefined });
    await turn();
    expect(seen.map((e) => e.kv.key)).toEqual(["/k/a"]);
    syncs.finishAll();
    await pendingWrite;
    expect(seen.map((e) => e.kv.key)).toEqual(["/k/a", "/k/b"]);
  });

  it("lets a get of a key whose write waits for its fsync wait for it, so a compare-and-swap that follows succeeds", async () => {
    const { store, syncs } = heldStore();
    await Promise.all([store.create("/k/a", "1"), turn().then(() => syncs.finishAll())]);
    const update = store.update("/k/a", "2", (await store.get("/k/a"))!.modRevision);
    await turn();
    const read = store.get("/k/a");
    await turn();
    syncs.finishAll();
    const [updated, seen] = await Promise.all([update, read]);
    expect(seen).toEqual(updated);
    const next = store.update("/k/a", "3", seen!.modRevision);
    await turn();
    syncs.finishAll();
    expect((await next).value).toBe("3");
  });

  it("fails the batch whose fsync failed and every write after it, says so, and keeps serving what was on disk", async () => {
    const { store, syncs } = heldStore();
    await Promise.all([store.create("/k/a", "1"), turn().then(() => syncs.finishAll())]);
    const lost = store.create("/k/b", "2");
    await turn();
    syncs.failNext(new Error("EIO: i/o error, fdatasync"));
    const err = await lost.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/could not make its writes durable \(fsync of the WAL failed: EIO.*restart the server/);
    await expect(store.create("/k/c", "3")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await store.get("/k/a"))?.value).toBe("1");
  });

  it("fails a batch committed behind a failed fsync even when its own fsync succeeds (what reached the disk is unknown)", async () => {
    const { store, syncs } = heldStore();
    const first = store.create("/k/a", "1");
    await turn();
    const second = store.create("/k/b", "2");
    await turn();
    syncs.failNext(new Error("EIO"));
    syncs.finishAll();
    await expect(first).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(second).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("close waits for the last fsync, answers the writes it covered, and they are there when the file is opened again", async () => {
    const { store, syncs, path } = heldStore();
    const write = store.create("/k/a", "1");
    const closing = store.close();
    await turn();
    await expect(store.create("/k/late", "x")).rejects.toBeInstanceOf(StoreUnavailableError);
    syncs.finishAll();
    await closing;
    expect((await write).value).toBe("1");
    const reopened = openSqliteStore({ path });
    stores.push(reopened);
    expect((await reopened.get("/k/a"))?.value).toBe("1");
  });

  it("a second close while the first drains waits for the same end, not returning before the file is closed", async () => {
    const { store, syncs } = heldStore();
    const write = store.create("/k/a", "1");
    let firstDone = false;
    let secondDone = false;
    const first = store.close().then(() => (firstDone = true));
    const second = store.close().then(() => (secondDone = true));
    await turn();
    expect([firstDone, secondDone]).toEqual([false, false]);
    syncs.finishAll();
    await Promise.all([first, second]);
    expect((await write).value).toBe("1");
    await expect(store.close()).resolves.toBeUndefined();
  });
});

type SyncCallback = (err: NodeJS.ErrnoException | null) => void;

/** A WalSync on a real database's WAL whose fdatasyncs finish when the test calls their callbacks. */
async function withHeldWal(test: (sync: WalSync, calls: SyncCallback[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "claw-walsync-"));
  dirs.push(dir);
  const path = join(dir, "store.db");
  const db = openDatabase(path);
  try {
    const calls: SyncCallback[] = [];
    const sync = new WalSync(`${path}-wal`, (_fd, callback) => calls.push(callback));
    await test(sync, calls);
    await sync.close();
  } finally {
    db.close();
  }
}

describe("WalSync", () => {
  it("runs at most two fdatasyncs at once and covers every commit made meanwhile with one more", () =>
    withHeldWal(async (sync, calls) => {
      const first = sync.sync();
      const second = sync.sync();
      expect(calls).toHaveLength(2);
      let duringDone = false;
      const during = Promise.all([sync.sync(), sync.sync(), sync.sync()]).then(() => (duringDone = true));
      await turn();
      expect(calls).toHaveLength(2);
      calls[0]!(null);
      await first;
      await turn();
      // The commits made while two ran wait for the sync that began after them, not for one already running.
      expect(calls).toHaveLength(3);
      calls[1]!(null);
      await second;
      await turn();
      expect(duringDone).toBe(false);
      calls[2]!(null);
      await during;
    }),
  );

  it("fails the syncs that were waiting when the one begun for them fails", () =>
    withHeldWal(async (sync, calls) => {
      const running = [sync.sync(), sync.sync()];
      const waiting = sync.sync();
      calls[0]!(null);
      await running[0];
      await turn();
      calls[2]!(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
      await expect(waiting).rejects.toThrow(/EIO/);
      calls[1]!(null);
      await running[1];
    }),
  );

  it("syncs a real WAL, and the store's file runs with synchronous=NORMAL (the fsync is the store's)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "claw-walsync-"));
    dirs.push(dir);
    const store = openSqliteStore({ path: join(dir, "store.db") });
    stores.push(store);
    const kv = await store.create("/k/a", "1");
    expect((await store.get("/k/a"))?.modRevision).toBe(kv.modRevision);
    const db = openDatabase(":memory:");
    expect(Number(db.pragma("synchronous", { simple: true }))).toBe(2);
    db.close();
    const probe = new SqliteStore(join(dir, "probe.db"), openDatabase(join(dir, "probe.db")));
    stores.push(probe);
    expect(Number((probe as unknown as { db: { pragma(s: string, o: object): unknown } }).db.pragma("synchronous", { simple: true }))).toBe(1);
  });
});
