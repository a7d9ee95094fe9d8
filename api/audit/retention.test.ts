import { describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { AuditReader } from "./audit-reader.js";
import { ANCHOR_KEY } from "./batch-keys.js";
import { parsePublicKeys } from "../client/audit/checkpoint.js";
import { RetentionPruner } from "./retention.js";
import { appendMany, startTestLog, type TestLog } from "./testing/audit-fixture.js";
import { verifyLog } from "../client/audit/verify-log.js";
import { storeBatchSource } from "./batch-store.js";

const DAY = 86_400_000;

async function oldAndNew(opts: { checkpointEvery: number; batchEntries: number; signed?: boolean }) {
  const clock = new FakeClock();
  const t = await startTestLog({ clock, maxBatchEntries: opts.batchEntries, config: (c) => ((c.checkpointEvery = opts.checkpointEvery), (c.checkpointIntervalMs = 3_600_000), (c.signLogs = opts.signed ?? true)) });
  await appendMany(t.log, 100); // day 0
  clock.step(10 * DAY);
  await appendMany(t.log, 20); // day 10
  const pruner = new RetentionPruner({ log: t.log, batches: t.log.batches, clock, retentionDays: 7, signed: opts.signed ?? true });
  return { clock, t, pruner };
}

const verify = (t: TestLog, signed = true) => verifyLog(storeBatchSource(t.log.batches), { trustedKeys: parsePublicKeys(t.signer.publicKeyPem, "t"), checkSignatures: signed });

describe("retention", () => {
  it("deletes batches older than retention_days behind a signed anchor, and the log still verifies", async () => {
    const { t, pruner } = await oldAndNew({ checkpointEvery: 25, batchEntries: 10 });
    const result = await pruner.pruneNow();
    expect(result).toMatchObject({ anchor: { seq: 100, batch: 11 }, deletedBatches: 10 });
    expect(result?.anchor.checkpoint?.keyId).toBe(t.signer.keyId);
    expect(await t.log.batches.firstBatch()).toBe(11);
    const report = await verify(t);
    expect(report).toMatchObject({ ok: true, firstSeq: 101, lastSeq: 121 });
    const page = await new AuditReader(t.log.batches).query({ limit: 1000 });
    expect(page.firstSeq).toBe(101);
    expect(page.items.at(-1)).toMatchObject({ seq: 121, type: "audit.pruned", details: { throughSeq: 100, deletedBatches: 10 } });
    await t.close();
  });

  it("anchors inside a batch when its newest old checkpoint is not the batch's last entry", async () => {
    const clock = new FakeClock();
    const t = await startTestLog({ clock, config: (c) => ((c.checkpointEvery = 30), (c.checkpointIntervalMs = 3_600_000)) });
    await appendMany(t.log, 5); // batch 1: 1–5, signed at 5 (the first checkpoint is due at once)
    await appendMany(t.log, 95); // batch 2: 6–100, signed at 30, 60, 90 only
    clock.step(10 * DAY);
    await appendMany(t.log, 3);
    const pruner = new RetentionPruner({ log: t.log, batches: t.log.batches, clock, retentionDays: 7, signed: true });
    expect(await pruner.pruneNow()).toMatchObject({ anchor: { seq: 90, batch: 2 }, deletedBatches: 1 });
    expect(await verify(t)).toMatchObject({ ok: true, firstSeq: 91, lastSeq: 104 });
    const page = await new AuditReader(t.log.batches).query({ limit: 1000 });
    expect(page.items[0]?.seq).toBe(91);
    await t.close();
  });

  it("keeps everything younger than retention_days", async () => {
    const { t, clock } = await oldAndNew({ checkpointEvery: 25, batchEntries: 10 });
    const keep = new RetentionPruner({ log: t.log, batches: t.log.batches, clock, retentionDays: 30, signed: true });
    expect(await keep.pruneNow()).toBeUndefined();
    expect(await t.store.get(ANCHOR_KEY)).toBeUndefined();
    expect(await verify(t)).toMatchObject({ ok: true, firstSeq: 1, lastSeq: 120 });
    await t.close();
  });

  it("fails verification when the anchor is moved or its signature forged", async () => {
    const { t, pruner } = await oldAndNew({ checkpointEvery: 25, batchEntries: 10 });
    await pruner.pruneNow();
    const kv = (await t.store.get(ANCHOR_KEY))!;
    const anchor = JSON.parse(kv.value) as { seq: number; hash: string };
    await t.store.update(ANCHOR_KEY, JSON.stringify({ ...anchor, seq: 105 }), kv.modRevision);
    expect((await verify(t)).failure).toMatchObject({ seq: 105, reason: expect.stringMatching(/anchor's checkpoint does not match/) });
    await t.close();
  });

  it("anchors an unsigned log at batch ends", async () => {
    const { t, pruner } = await oldAndNew({ checkpointEvery: 25, batchEntries: 10, signed: false });
    expect((await pruner.pruneNow())?.anchor).toMatchObject({ seq: 100, batch: 11 });
    expect(await verify(t, false)).toMatchObject({ ok: true, firstSeq: 101 });
    await t.close();
  });

  it("continues the chain when every batch was pruned", async () => {
    const clock = new FakeClock();
    const t = await startTestLog({ clock, maxBatchEntries: 10 });
    await appendMany(t.log, 30);
    await t.log.stop(); // signs the head
    clock.step(10 * DAY);
    const pruner = new RetentionPruner({ log: t.log, batches: t.log.batches, clock, retentionDays: 7, signed: true });
    // The stopped log refuses the audit.pruned entry; pruning itself has happened.
    await expect(pruner.pruneNow()).rejects.toThrow(/stopped/);
    expect(await t.log.batches.firstBatch()).toBeUndefined();
    const next = await startTestLog({ clock, store: t.store, signer: t.signer });
    expect((await next.log.append({ type: "auth.logout", actor: "alice", outcome: "success" })).seq).toBe(31);
    expect(await verify(next)).toMatchObject({ ok: true, firstSeq: 31, lastSeq: 31 });
    await next.close();
    await t.store.close();
  });
});
