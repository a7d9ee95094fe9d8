import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import type { AuditExportConfig } from "./audit-config.js";
import { ExportCursor } from "./export-cursor.js";
import { SiemShipper, type WaitEvent } from "./siem-shipper.js";
import { appendMany, startTestLog, type TestLog } from "./testing/audit-fixture.js";
import { startSiemReceiver, type Answer, type SiemReceiver } from "./testing/siem-receiver.js";

const exportConfig = (endpoint: string, modify: (c: AuditExportConfig) => void = () => {}): AuditExportConfig => {
  const c: AuditExportConfig = { enabled: true, endpoint, format: "json", batchSize: 20, timeoutMs: 5000, maxBackoffMs: 8000 };
  modify(c);
  return c;
};

describe("SiemShipper", () => {
  let t: TestLog | undefined;
  let receiver: SiemReceiver | undefined;
  const shippers: SiemShipper[] = [];
  afterEach(async () => {
    for (const s of shippers.splice(0)) await s.stop();
    await t?.close();
    await receiver?.stop();
  });

  async function setup(schedule: (n: number) => Answer, entries: number) {
    const clock = new FakeClock();
    t = await startTestLog({ clock });
    await appendMany(t.log, entries);
    receiver = await startSiemReceiver(schedule);
    return { clock, t, receiver };
  }

  function shipper(holder: string, env: { clock: FakeClock; t: TestLog; receiver: SiemReceiver }, modify?: (c: AuditExportConfig) => void): SiemShipper {
    const s = new SiemShipper({ store: env.t.store, batches: env.t.log.batches, clock: env.clock, config: exportConfig(env.receiver.url, modify), holder, subscribe: (wake) => env.t.log.onAppended(wake), token: "siem-token" });
    shippers.push(s);
    s.start();
    return s;
  }

  /** Steps the fake clock through the shipper's waits until `done` holds; returns the waits seen. */
  async function drive(s: SiemShipper, clock: FakeClock, done: () => boolean): Promise<WaitEvent[]> {
    const seen: WaitEvent[] = [];
    for (let i = 0; i < 1000 && !done(); i++) {
      const w = await s.nextWait();
      seen.push(w);
      if (done()) break;
      clock.step(w.ms);
    }
    return seen;
  }

  it("ships every entry exactly once through failures, an outage and a restart", async () => {
    // Every third request answers 503; requests 8 to 11 find the SIEM gone (connection reset).
    const env = await setup((n) => (n >= 8 && n <= 11 ? "reset" : n % 3 === 2 ? "503" : "ok"), 250);
    const first = shipper("server-a", env);
    await drive(first, env.clock, () => env.receiver.accepted.length >= 120);
    await first.stop(); // a graceful restart: the lease is released
    await appendMany(env.t.log, 50);
    const second = shipper("server-b", env);
    const waits = await drive(second, env.clock, () => env.receiver.accepted.length >= 300);
    expect(env.receiver.accepted).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(env.receiver.requests.filter((r) => r.answer !== "ok").length).toBeGreaterThanOrEqual(6);
    expect(first.stats.failures + second.stats.failures).toBe(env.receiver.requests.filter((r) => r.answer !== "ok").length);
    expect(waits.some((w) => w.reason === "backoff")).toBe(true);
    expect(await new ExportCursor(env.t.store, "x", 1000).read()).toMatchObject({ seq: 300, holder: "server-b" });
  });

  it("backs off exponentially during an outage, capped at max_backoff_seconds", async () => {
    const env = await setup((n) => (n <= 6 ? "503" : "ok"), 10);
    const s = shipper("server-a", env);
    const waits = await drive(s, env.clock, () => env.receiver.accepted.length >= 10);
    expect(waits.filter((w) => w.reason === "backoff").map((w) => w.ms)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(env.receiver.accepted).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it("sends jsonl with an Idempotency-Key naming the seq range and the bearer token", async () => {
    const env = await setup(() => "ok", 30);
    const s = shipper("server-a", env, (c) => ((c.format = "jsonl"), (c.batchSize = 25)));
    await drive(s, env.clock, () => env.receiver.accepted.length >= 30);
    expect(env.receiver.requests.map((r) => [r.idempotencyKey, r.contentType, r.authorization])).toEqual([
      ["claw-audit-1-25", "application/x-ndjson", "Bearer siem-token"],
      ["claw-audit-26-30", "application/x-ndjson", "Bearer siem-token"],
    ]);
    expect(env.receiver.entries[0]).toMatchObject({ seq: 1, type: "auth.login", hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("wakes up for new entries while idle, and a second server stands by while the first holds the lease", async () => {
    const env = await setup(() => "ok", 5);
    const a = shipper("server-a", env);
    const seen = await drive(a, env.clock, () => env.receiver.accepted.length >= 5);
    if (seen.at(-1)?.reason !== "idle") expect((await a.nextWait()).reason).toBe("idle");
    const b = shipper("server-b", env);
    expect((await b.nextWait()).reason).toBe("standby");
    await appendMany(env.t.log, 5); // wakes a without any clock step
    await drive(a, env.clock, () => env.receiver.accepted.length >= 10);
    expect(env.receiver.accepted).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(b.stats.requests).toBe(0);
  });
});
