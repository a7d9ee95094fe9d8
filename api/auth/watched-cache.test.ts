import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import type { Store, WatchOptions } from "../store/store.js";
import { WatchedCache } from "./watched-cache.js";

let dir: string;
let store: Store;
let reads: number;
let watches: WatchOptions[];
const clock = new FakeClock();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "claw-cache-"));
  const real = await openSqliteStore({ path: join(dir, "store.db") });
  reads = 0;
  watches = [];
  store = Object.assign(Object.create(real) as Store, {
    get: (key: string) => (reads++, real.get(key)),
    watch: (prefix: string, options: WatchOptions) => (watches.push(options), real.watch(prefix, options)),
    close: () => real.close(),
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const cacheOf = (maxEntries?: number) => new WatchedCache({ store, prefix: "/p/", clock, decode: (kv) => kv.value, ...(maxEntries ? { maxEntries } : {}) });

describe("WatchedCache", () => {
  it("reads through once, then serves from memory", async () => {
    await store.create("/p/a", "1");
    const cache = cacheOf();
    await cache.start();
    expect(await cache.get("a")).toBe("1");
    expect(await cache.get("a")).toBe("1");
    expect(reads).toBe(1);
    cache.stop();
  });

  it("sees a write made after the value was cached, at once", async () => {
    const kv = await store.create("/p/a", "1");
    const cache = cacheOf();
    await cache.start();
    await cache.get("a");
    await store.update("/p/a", "2", kv.modRevision);
    expect(await cache.get("a")).toBe("2");
    await store.delete("/p/a");
    expect(await cache.get("a")).toBeUndefined();
    cache.stop();
  });

  it("remembers absence until the key is created", async () => {
    const cache = cacheOf();
    await cache.start();
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("b")).toBeUndefined();
    expect(reads).toBe(1);
    await store.create("/p/b", "here");
    expect(await cache.get("b")).toBe("here");
    cache.stop();
  });

  it("does not keep a read that raced a change", async () => {
    await store.create("/p/a", "1");
    const cache = cacheOf();
    await cache.start();
    const pending = cache.get("a");
    watches[0]!.onEvents([{ type: "put", kv: { key: "/p/other", value: "x", createRevision: 99, modRevision: 99 } }]);
    await pending;
    await cache.get("a");
    expect(reads).toBe(2);
    cache.stop();
  });

  it("bypasses itself while the watch is down and rewatches after a backoff", async () => {
    await store.create("/p/a", "1");
    const cache = cacheOf();
    await cache.start();
    await cache.get("a");
    watches[0]!.onError(new Error("compacted"));
    await cache.get("a");
    await cache.get("a");
    expect(reads).toBe(3);
    clock.step(100);
    await new Promise((resolve) => setImmediate(resolve));
    expect(watches).toHaveLength(2);
    await cache.get("a");
    await cache.get("a");
    expect(reads).toBe(4);
    cache.stop();
  });

  it("starts over when full", async () => {
    const cache = cacheOf(2);
    await cache.start();
    for (const k of ["a", "b", "c", "a"]) await cache.get(k);
    expect(reads).toBe(4);
    cache.stop();
  });
});

describe("WatchedCache without absence", () => {
  it("reads an absent key every time", async () => {
    const cache = new WatchedCache({ store, prefix: "/p/", clock, decode: (kv) => kv.value, cacheAbsent: false });
    await cache.start();
    await cache.get("nope");
    await cache.get("nope");
    expect(reads).toBe(2);
    expect(cache.peek("nope")).toBeUndefined();
    cache.stop();
  });
});
