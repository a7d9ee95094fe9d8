import { describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { isApiError } from "../machinery/errors.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import { AuditUnavailableError } from "./audit-log.js";
import type { BatchRecord } from "../client/audit/batch.js";
import { parsePublicKeys } from "../client/audit/checkpoint.js";
import { appendMany, loginEvent, startTestLog, type TestLog } from "./testing/audit-fixture.js";
import { eventually, failingStore } from "./testing/failing-store.js";
import { verifyLog } from "../client/audit/verify-log.js";
import { storeBatchSource } from "./batch-store.js";

async function storedBatches(t: TestLog): Promise<BatchRecord[]> {
  const out: BatchRecord[] = [];
  for await (const b of t.log.batches.batchesFrom(1)) out.push(b);
  return out;
}

async function verifies(t: TestLog, keys = [t.signer.publicKeyPem]) {
  return verifyLog(storeBatchSource(t.log.batches), { trustedKeys: parsePublicKeys(keys.join("\n"), "test"), checkSignatures: true });
}

describe("AuditLog", () => {
  const cases: { name: string; run: () => Promise<void> }[] = [
    {
      name: "gives events consecutive seqs and resolves once they are stored",
      async run() {
        const t = await startTestLog();
        const results = await appendMany(t.log, 5);
        expect(results.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
        const [batch] = await storedBatches(t);
        expect(batch!.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(batch!.entries[0]).toMatchObject({ type: "auth.login", actor: "user:alice", sourceIp: "10.0.0.7", outcome: "success", resource: { kind: "User", name: "alice" } });
        expect(batch!.entries[0]!.time).toBe("2026-01-01T00:00:00.000Z");
        await t.close();
      },
    },
    {
      name: "puts everything appended in one turn into one batch",
      async run() {
        const t = await startTestLog();
        await appendMany(t.log, 300);
        await appendMany(t.log, 2);
        expect((await storedBatches(t)).map((b) => b.entries.length)).toEqual([300, 2]);
        await t.close();
      },
    },
    {
      name: "splits a large turn at the batch size cap",
      async run() {
        const t = await startTestLog({ maxBatchEntries: 100 });
        await appendMany(t.log, 250);
        expect((await storedBatches(t)).map((b) => b.entries.length)).toEqual([100, 100, 50]);
        await t.close();
      },
    },
    {
      name: "records nothing for excluded event types and families",
      async run() {
        const t = await startTestLog({ config: (c) => (c.excludeEvents = ["auth.logout", "node.*"]) });
        const results = await Promise.all([
          t.log.append(loginEvent((e) => (e.type = "auth.logout"))),
          t.log.append(loginEvent((e) => (e.type = "node.connected"))),
          t.log.append(loginEvent()),
        ]);
        expect(results.map((r) => r.seq)).toEqual([undefined, undefined, 1]);
        expect((await storedBatches(t)).flatMap((b) => b.entries.map((e) => e.type))).toEqual(["auth.login"]);
        await t.close();
      },
    },
    {
      name: "records nothing when [audit] enabled = false",
      async run() {
        const t = await startTestLog({ config: (c) => (c.enabled = false) });
        expect(await t.log.append(loginEvent())).toEqual({ seq: undefined });
        expect(t.log.healthy()).toBe(true);
        expect(await storedBatches(t)).toEqual([]);
        await t.close();
      },
    },
    {
      name: "signs a checkpoint at every multiple of checkpoint_every",
      async run() {
        const t = await startTestLog({ config: (c) => (c.checkpointEvery = 10), maxBatchEntries: 25 });
        await appendMany(t.log, 60);
        const seqs = (await storedBatches(t)).flatMap((b) => b.checkpoints.map((c) => c.seq));
        // 10…60 by the count rule; the first batch is also signed at its end (no checkpoint was ever made).
        expect(seqs).toEqual(expect.arrayContaining([10, 20, 30, 40, 50, 60]));
        expect((await verifies(t)).ok).toBe(true);
        await t.close();
      },
    },
    {
      name: "signs an idle head within checkpoint_interval_seconds with a checkpoint-only batch",
      async run() {
        const clock = new FakeClock();
        const t = await startTestLog({ clock, config: (c) => ((c.checkpointEvery = 1000), (c.checkpointIntervalMs = 5000)) });
        await appendMany(t.log, 3); // signed at once: the first checkpoint is always due
        clock.step(1000);
        await appendMany(t.log, 2); // not yet due
        expect(t.log.currentHead()).toMatchObject({ seq: 5, signedSeq: 3 });
        const signed = new Promise<number>((resolve) => t.log.onAppended(resolve));
        clock.step(5000);
        expect(await signed).toBe(5);
        const last = (await storedBatches(t)).at(-1)!;
        expect(last.entries).toEqual([]);
        expect(last.checkpoints.map((c) => c.seq)).toEqual([5]);
        expect((await verifies(t)).ok).toBe(true);
        await t.close();
      },
    },
    {
      name: "fails closed while the store cannot be written, and recovers when it can",
      async run() {
        const clock = new FakeClock();
        const store = failingStore(openSqliteStore({ path: ":memory:" }));
        const t = await startTestLog({ clock, store });
        await appendMany(t.log, 2);
        store.failing = "writes";
        await expect(t.log.append(loginEvent())).rejects.toBeInstanceOf(AuditUnavailableError);
        expect(t.log.healthy()).toBe(false);
        const refused = await t.log.record(loginEvent()).catch((err: unknown) => err);
        expect(isApiError(refused) && refused.code).toBe(503);
        expect(() => t.log.guard()).toThrow(/audit log cannot be written/);
        await expect(t.log.healthCheck()).rejects.toThrow(/test: the store is down/);
        store.failing = "none";
        clock.step(5000);
        await eventually(() => t.log.healthy());
        expect(() => t.log.guard()).not.toThrow();
        expect((await t.log.append(loginEvent())).seq).toBe(3);
        expect((await verifies(t)).ok).toBe(true);
        await t.close();
        await store.close();
      },
    },
    {
      name: "lets requests go on when fail_closed = false",
      async run() {
        const store = failingStore(openSqliteStore({ path: ":memory:" }));
        const t = await startTestLog({ store, config: (c) => (c.failClosed = false) });
        store.failing = "writes";
        expect(await t.log.record(loginEvent())).toEqual({ seq: undefined });
        expect(() => t.log.guard()).not.toThrow();
        expect(t.log.healthy()).toBe(false);
        await t.close();
        await store.close();
      },
    },
    {
      name: "signs the head on stop and refuses appends after it",
      async run() {
        const clock = new FakeClock();
        const t = await startTestLog({ clock, config: (c) => (c.checkpointEvery = 1000) });
        await appendMany(t.log, 1);
        clock.step(1000);
        await appendMany(t.log, 1);
        await t.log.stop();
        expect(t.log.currentHead()).toMatchObject({ seq: 2, signedSeq: 2 });
        await expect(t.log.append(loginEvent())).rejects.toThrow(/stopped/);
        await t.store.close();
      },
    },
    {
      name: "continues the same chain after a restart on the same store",
      async run() {
        const store = openSqliteStore({ path: ":memory:" });
        const first = await startTestLog({ store });
        await appendMany(first.log, 3);
        await first.close();
        const second = await startTestLog({ store });
        expect((await appendMany(second.log, 2)).map((r) => r.seq)).toEqual([4, 5]);
        expect((await verifies(second, [first.signer.publicKeyPem, second.signer.publicKeyPem])).ok).toBe(true);
        await second.close();
        await store.close();
      },
    },
    {
      name: "never forks when two writers share one store: the loser renumbers onto the winner's batch",
      async run() {
        const store = openSqliteStore({ path: ":memory:" });
        const a = await startTestLog({ store });
        const b = await startTestLog({ store });
        const acked: number[] = [];
        await Promise.all(
          [a, b].flatMap((t, w) =>
            Array.from({ length: 8 }, async (_, k) => {
              for (let i = 0; i < 25; i++) acked.push((await t.log.append(loginEvent((e) => (e.details = { w, k, i })))).seq!);
            }),
          ),
        );
        expect(a.log.stats.conflicts + b.log.stats.conflicts).toBeGreaterThan(0);
        expect(acked.sort((x, y) => x - y)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
        const report = await verifies(a, [a.signer.publicKeyPem, b.signer.publicKeyPem]);
        expect(report).toMatchObject({ ok: true, entries: 400, lastSeq: 400 });
        await a.close();
        await b.close();
        await store.close();
      },
    },
  ];
  for (const c of cases) it(c.name, c.run);
});
