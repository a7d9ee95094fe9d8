// The parallel verifier (worker threads) must say exactly what the sequential one says: same verdict,
// same first bad entry, same totals. The worker module is compiled from the sources for the test.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transpileForNode } from "../../store/testdata/transpile-for-node.js";
import type { RawBatch } from "./batch.js";
import type { Witness } from "./chain-verifier.js";
import { parsePublicKeys } from "./checkpoint.js";
import { RetentionPruner } from "../../audit/retention.js";
import { startTestLog } from "../../audit/testing/audit-fixture.js";
import { writeStoredLog, type StoredLogFixture } from "../../audit/testing/stored-log.js";
import { deleteEntry, editEntry, insertEntry, parseLog, prng, serializeLog, swapEntries, truncateFrom } from "../../audit/testing/tamper.js";
import { verifyLog, type BatchSource } from "./verify-log.js";
import { storeBatchSource } from "../../audit/batch-store.js";
import { FakeClock } from "../../machinery/clock.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const TAMPERINGS = 40;

const memorySource = (raws: readonly RawBatch[], anchor?: string): BatchSource => ({
  anchor: async () => anchor,
  async *pages() {
    for (let i = 0; i < raws.length; i += 5) yield raws.slice(i, i + 5);
  },
});

describe("parallel verification", () => {
  let dir: string;
  let workerUrl: URL;
  let fixture: StoredLogFixture;
  let witness: Witness;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "claw-audit-parallel-"));
    workerUrl = pathToFileURL(await transpileForNode({ entry: join(root, "api/client/audit/verify-worker.ts"), root, outDir: join(dir, "worker") }));
    fixture = await writeStoredLog({ entries: 400, checkpointEvery: 40, batchEntries: 9 });
    witness = { seq: fixture.lastCheckpoint.seq, hash: fixture.lastCheckpoint.hash };
  });
  afterAll(async () => {
    await fixture?.t.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const both = async (raws: readonly RawBatch[], w?: Witness) => {
    const opts = { trustedKeys: parsePublicKeys(fixture.signer.publicKeyPem, "t"), checkSignatures: true, ...(w ? { witness: w } : {}) };
    const sequential = await verifyLog(memorySource(raws), opts);
    const parallel = await verifyLog(memorySource(raws), { ...opts, parallel: { workers: 2, workerUrl, sliceBatches: 4 } });
    return { sequential, parallel };
  };

  it("agrees with the sequential verifier on the untouched log", async () => {
    const { sequential, parallel } = await both(fixture.raws, witness);
    expect(parallel).toEqual(sequential);
    expect(parallel).toMatchObject({ ok: true, entries: 400, lastSeq: 400 });
  });

  it(`names the same first bad entry for ${TAMPERINGS} random tamperings`, async () => {
    const kinds = ["edit", "delete", "insert", "swap", "truncate"] as const;
    const disagreements: string[] = [];
    for (let n = 0; n < TAMPERINGS; n++) {
      const rand = prng(7000 + n);
      const log = parseLog(fixture.raws);
      const seq = 2 + rand(witness.seq - 1);
      const kind = kinds[n % kinds.length]!;
      if (kind === "edit") editEntry(log, seq, rand);
      else if (kind === "delete") deleteEntry(log, seq);
      else if (kind === "insert") insertEntry(log, seq, rand);
      else if (kind === "swap") swapEntries(log, seq, Math.min(400, seq + 1 + rand(30)));
      else truncateFrom(log, seq, rand(2) === 0);
      const { sequential, parallel } = await both(serializeLog(log), witness);
      if (parallel.ok || parallel.failure?.seq !== sequential.failure?.seq || parallel.failure?.reason !== sequential.failure?.reason)
        disagreements.push(`#${n} ${kind} at ${seq}: sequential ${JSON.stringify(sequential.failure)}, parallel ${JSON.stringify(parallel.failure)}`);
    }
    expect(disagreements).toEqual([]);
  });

  it("verifies from the anchor of a pruned log", async () => {
    const clock = new FakeClock();
    const t = await startTestLog({ clock, maxBatchEntries: 7, config: (c) => (c.checkpointEvery = 20) });
    await Promise.all(Array.from({ length: 100 }, (_, i) => t.log.append({ type: "auth.login", actor: `u${i}`, outcome: "success" })));
    clock.step(30 * 86_400_000);
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.log.append({ type: "auth.logout", actor: `u${i}`, outcome: "success" })));
    await new RetentionPruner({ log: t.log, batches: t.log.batches, clock, retentionDays: 7, signed: true }).pruneNow();
    const opts = { trustedKeys: parsePublicKeys(t.signer.publicKeyPem, "t"), checkSignatures: true };
    const sequential = await verifyLog(storeBatchSource(t.log.batches), opts);
    const parallel = await verifyLog(storeBatchSource(t.log.batches), { ...opts, parallel: { workers: 2, workerUrl, sliceBatches: 2 } });
    expect(sequential).toMatchObject({ ok: true, firstSeq: 101 });
    expect(parallel).toEqual(sequential);
    await t.close();
  });
});
