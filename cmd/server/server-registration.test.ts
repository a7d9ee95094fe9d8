// A server's record in the store: written at start, renewed on the (fake) clock, deleted at a graceful stop, and
// long-dead servers' records forgotten at the next start. Against the real embedded store.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../api/machinery/clock.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { FORGET_AFTER_MS, HEARTBEAT_INTERVAL_MS, readServerRecords, SERVERS_PREFIX, ServerRegistration, type ServerRecord } from "./server-registration.js";

let dir: string;
let store: Store;
let clock: FakeClock;
const logger = { warn: () => undefined };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "claw-registration-"));
  store = await openSqliteStore({ path: join(dir, "store.db") });
  clock = new FakeClock(Date.parse("2026-03-01T12:00:00Z"));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const registration = (id: string) => new ServerRegistration({ store, clock, logger, id, version: "v1.32.0-claw.test", url: `https://${id}:8080` });
const recordOf = async (id: string) => (await readServerRecords(store)).find((r) => r.id === id);

/** Lets the renewal the clock step fired reach the store (no sleeping: one turn of the event loop at a time). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error("the condition never held");
}

describe("ServerRegistration", () => {
  it("writes its record at start with its version, URL and start time", async () => {
    const reg = registration("a");
    await reg.start();
    expect(await recordOf("a")).toEqual({ v: 1, id: "a", version: "v1.32.0-claw.test", url: "https://a:8080", startedAt: "2026-03-01T12:00:00Z", lastSeen: "2026-03-01T12:00:00Z" });
    await reg.stop();
  });

  it("renews lastSeen at every heartbeat, keeping startedAt", async () => {
    const reg = registration("a");
    await reg.start();
    clock.step(HEARTBEAT_INTERVAL_MS);
    await until(async () => (await recordOf("a"))?.lastSeen === "2026-03-01T12:00:10Z");
    expect((await recordOf("a"))?.startedAt).toBe("2026-03-01T12:00:00Z");
    await reg.stop();
  });

  it("deletes its record at a graceful stop and renews no more", async () => {
    const reg = registration("a");
    await reg.start();
    await reg.stop();
    clock.step(HEARTBEAT_INTERVAL_MS * 3);
    expect(await recordOf("a")).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("forgets at start a record not renewed for a day, and keeps one that is merely stale", async () => {
    const old = (id: string, agoMs: number): ServerRecord => ({ v: 1, id, version: "v", url: "u", startedAt: "2026-01-01T00:00:00Z", lastSeen: new Date(clock.now() - agoMs).toISOString() });
    await store.create(`${SERVERS_PREFIX}dead`, JSON.stringify(old("dead", FORGET_AFTER_MS + 1)));
    await store.create(`${SERVERS_PREFIX}stale`, JSON.stringify(old("stale", 60_000)));
    const reg = registration("a");
    await reg.start();
    expect((await readServerRecords(store)).map((r) => r.id).sort()).toEqual(["a", "stale"]);
    await reg.stop();
  });
});
