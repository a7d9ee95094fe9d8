import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawBatch } from "./batch.js";
import { ChainVerifier, type VerifyReport, type Witness } from "./chain-verifier.js";
import { ephemeralSigner, parsePublicKeys } from "./checkpoint.js";
import { entryHash } from "./entry-hash.js";
import { appendMany, startTestLog } from "../../audit/testing/audit-fixture.js";
import { writeStoredLog, type StoredLogFixture } from "../../audit/testing/stored-log.js";
import { entryAt, locate, parseLog, serializeLog, truncateFrom, type StoredLog } from "../../audit/testing/tamper.js";
import { verifyLog } from "./verify-log.js";
import { storeBatchSource } from "../../audit/batch-store.js";
import { batchKey } from "../../audit/batch-keys.js";

function verify(raws: readonly RawBatch[], fixture: StoredLogFixture, opts: { witness?: Witness; keys?: string } = {}): VerifyReport {
  const verifier = new ChainVerifier({ trustedKeys: parsePublicKeys(opts.keys ?? fixture.signer.publicKeyPem, "test"), checkSignatures: true, ...(opts.witness ? { witness: opts.witness } : {}) });
  for (const r of raws) if (!verifier.addBatch(r.batch, r.raw)) break;
  return verifier.finish();
}

/** What an attacker who can compute SHA-256 does after editing entry `from`: relink and rehash everything after it. */
function rehashFrom(log: StoredLog, from: number): void {
  let prev = from > 1 ? entryAt(log, from - 1).hash! : "0".repeat(64);
  for (const batch of log) {
    for (const e of batch.entries) {
      if (e.seq < from) continue;
      e.prevHash = prev;
      e.hash = entryHash(e);
      prev = e.hash;
    }
    if (batch.lastSeq >= from) batch.lastHash = prev;
  }
}

const firstCheckpointFrom = (log: StoredLog, seq: number): number => Math.min(...log.flatMap((b) => b.checkpoints.map((c) => c.seq)).filter((s) => s >= seq));

describe("ChainVerifier", () => {
  let fixture: StoredLogFixture;
  let witness: Witness;
  beforeAll(async () => {
    fixture = await writeStoredLog({ entries: 300, checkpointEvery: 50, batchEntries: 20 });
    witness = { seq: fixture.lastCheckpoint.seq, hash: fixture.lastCheckpoint.hash };
  });
  afterAll(async () => fixture.t.store.close());

  const cases: { name: string; tamper: (log: StoredLog) => { seq: number; reason: RegExp; witness?: boolean; keys?: string } }[] = [
    {
      name: "catches an edit whose own hash was recomputed at the next entry's link",
      tamper(log) {
        const e = entryAt(log, 123);
        e.actor = "user:mallory";
        e.hash = entryHash(e);
        return { seq: 124, reason: /entry 124 does not follow entry 123/ };
      },
    },
    {
      name: "catches a rewrite that recomputed every later hash at the first checkpoint after it",
      tamper(log) {
        entryAt(log, 123).actor = "user:mallory";
        rehashFrom(log, 123);
        return { seq: firstCheckpointFrom(log, 123), reason: /checkpoint over entry 150 does not match it/ };
      },
    },
    {
      name: "catches a rewrite re-signed with a key the verifier does not trust",
      tamper(log) {
        entryAt(log, 123).outcome = "success";
        rehashFrom(log, 123);
        const attacker = ephemeralSigner();
        for (const b of log) b.checkpoints = b.checkpoints.map((c) => (c.seq >= 123 ? attacker.sign({ seq: c.seq, hash: entryAt(log, c.seq).hash!, time: c.time }) : c));
        return { seq: 150, reason: /not among the trusted public keys/ };
      },
    },
    {
      name: "catches a checkpoint whose signature was tampered with",
      tamper(log) {
        const batch = log.find((b) => b.checkpoints.some((c) => c.seq === 200))!;
        const cp = batch.checkpoints.find((c) => c.seq === 200)!;
        cp.time = "2030-01-01T00:00:00.000Z";
        return { seq: 200, reason: /signature by key .* is not valid/ };
      },
    },
    {
      name: "names the first entry of a batch deleted from the middle",
      tamper(log) {
        const { b } = locate(log, 101);
        const first = log[b]!.entries[0]!.seq;
        log.splice(b, 1);
        return { seq: first, reason: /batch \d+ is missing/ };
      },
    },
    {
      name: "catches truncation inside a batch from the batch's header",
      tamper(log) {
        truncateFrom(log, 295, false);
        return { seq: 295, reason: /entry 295 is missing: batch \d+ says it ends at entry 300/ };
      },
    },
    {
      name: "catches truncation whose header was fixed too, with the witness",
      tamper(log) {
        truncateFrom(log, 295, true);
        return { seq: 295, reason: /entries 295–300 are missing/, witness: true };
      },
    },
    {
      name: "catches a duplicated entry",
      tamper(log) {
        const { b, i } = locate(log, 77);
        log[b]!.entries.splice(i + 1, 0, structuredClone(log[b]!.entries[i]!));
        return { seq: 78, reason: /entry 78 is missing or out of order \(found 77/ };
      },
    },
    {
      name: "catches a batch that is not JSON",
      tamper(log) {
        const { b } = locate(log, 61);
        (log[b] as unknown as { v: number }).v = 2;
        return { seq: log[b]!.entries[0]!.seq, reason: /not a well-formed batch record/ };
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const log = parseLog(fixture.raws);
      const want = c.tamper(log);
      const report = verify(serializeLog(log), fixture, { ...(want.witness ? { witness } : {}) });
      expect(report.ok).toBe(false);
      expect(report.failure?.seq).toBe(want.seq);
      expect(report.failure?.reason).toMatch(want.reason);
    });
  }

  it("cannot see truncation of whole trailing batches without a witness (the witness exists for this)", () => {
    const log = parseLog(fixture.raws);
    const { b } = locate(log, 281);
    log.splice(b);
    const cut = log.at(-1)!.lastSeq;
    expect(verify(serializeLog(log), fixture)).toMatchObject({ ok: true, lastSeq: cut });
    expect(verify(serializeLog(log), fixture, { witness }).failure).toMatchObject({ seq: cut + 1 });
  });

  it("refuses a log whose checkpoints were signed by another server when only one key is trusted", () => {
    const other = ephemeralSigner().publicKeyPem;
    const report = verify(fixture.raws, fixture, { keys: other });
    expect(report.failure?.reason).toMatch(/not among the trusted public keys/);
  });

  it("reports the signed range, the last checkpoint and the keys used", () => {
    const report = verify(fixture.raws, fixture, { witness });
    expect(report).toMatchObject({ ok: true, entries: 300, firstSeq: 1, lastSeq: 300, unsignedTail: 0, keysUsed: [fixture.signer.keyId] });
    expect(report.lastCheckpoint?.seq).toBe(300);
  });

  it("finds an edit made directly in the store", async () => {
    const t = await startTestLog({ config: (c) => (c.checkpointEvery = 10) });
    await appendMany(t.log, 30);
    const kv = (await t.store.get(batchKey(1)))!;
    await t.store.update(batchKey(1), kv.value.replace('"user:alice"', '"user:mallory"'), kv.modRevision);
    const report = await verifyLog(storeBatchSource(t.log.batches), { trustedKeys: parsePublicKeys(t.signer.publicKeyPem, "t"), checkSignatures: true });
    expect(report.failure).toMatchObject({ seq: 1, batch: 1 });
    await t.close();
  });

  it("verifies an unsigned log with signature checks off, and names entry 1 of an unchained one", async () => {
    const unsigned = await startTestLog({ config: (c) => (c.signLogs = false) });
    await appendMany(unsigned.log, 5);
    expect(await verifyLog(storeBatchSource(unsigned.log.batches), { trustedKeys: new Map(), checkSignatures: false })).toMatchObject({ ok: true, entries: 5, unsignedTail: 5 });
    await unsigned.close();
    const unchained = await startTestLog({ config: (c) => ((c.signLogs = false), (c.hashChain = false)) });
    await appendMany(unchained.log, 5);
    const report = await verifyLog(storeBatchSource(unchained.log.batches), { trustedKeys: new Map(), checkSignatures: false });
    expect(report.failure).toMatchObject({ seq: 1, reason: expect.stringMatching(/hash_chain = false/) });
    await unchained.close();
  });
});
