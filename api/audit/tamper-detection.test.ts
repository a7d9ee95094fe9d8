// Must show: 1,000 random tamperings (edit, delete, insert, swap, truncate) of a stored log, each
// detected by the verifier at the right entry.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawBatch } from "./batch-store.js";
import { ChainVerifier, type VerifyReport, type Witness } from "../client/audit/chain-verifier.js";
import { parsePublicKeys } from "../client/audit/checkpoint.js";
import { deleteEntry, editEntry, insertEntry, parseLog, prng, serializeLog, swapEntries, truncateFrom, type StoredLog } from "./testing/tamper.js";
import { writeStoredLog, type StoredLogFixture } from "./testing/stored-log.js";

const ENTRIES = 500;
const TAMPERINGS = 1000;

function verify(raws: readonly RawBatch[], fixture: StoredLogFixture, witness?: Witness): VerifyReport {
  const verifier = new ChainVerifier({ trustedKeys: parsePublicKeys(fixture.signer.publicKeyPem, "test"), checkSignatures: true, ...(witness ? { witness } : {}) });
  for (const r of raws) if (!verifier.addBatch(r.batch, r.raw)) break;
  return verifier.finish();
}

type Kind = "edit" | "delete" | "insert" | "swap" | "truncate";
const KINDS: Kind[] = ["edit", "delete", "insert", "swap", "truncate"];

/** Applies one random tampering; returns the seq the verifier must name. */
function tamper(log: StoredLog, kind: Kind, rand: (n: number) => number, lastSigned: number): number {
  const seq = 1 + rand(lastSigned); // inside the signed part, so even the tail operations are detectable
  switch (kind) {
    case "edit":
      editEntry(log, seq, rand);
      return seq;
    case "delete":
      deleteEntry(log, seq);
      return seq;
    case "insert":
      insertEntry(log, seq, rand);
      return seq;
    case "swap": {
      const other = Math.min(ENTRIES, seq + 1 + rand(40));
      if (other === seq) return tamper(log, "edit", rand, lastSigned);
      swapEntries(log, seq, other);
      return seq;
    }
    case "truncate":
      truncateFrom(log, Math.max(seq, 2), rand(2) === 0);
      return Math.max(seq, 2);
  }
}

describe("audit log tamper detection", () => {
  let fixture: StoredLogFixture;
  beforeAll(async () => {
    fixture = await writeStoredLog({ entries: ENTRIES, checkpointEvery: 50, batchEntries: 23 });
  });
  afterAll(async () => fixture.t.store.close());

  it("accepts the untouched log", () => {
    const witness = { seq: fixture.lastCheckpoint.seq, hash: fixture.lastCheckpoint.hash };
    expect(verify(fixture.raws, fixture, witness)).toMatchObject({ ok: true, entries: ENTRIES, lastSeq: ENTRIES, unsignedTail: 0 });
  });

  it(`names the first bad entry for each of ${TAMPERINGS} random tamperings`, () => {
    const witness = { seq: fixture.lastCheckpoint.seq, hash: fixture.lastCheckpoint.hash };
    const counts: Record<string, number> = {};
    const misses: string[] = [];
    for (let n = 0; n < TAMPERINGS; n++) {
      const rand = prng(1000 + n);
      const kind = KINDS[n % KINDS.length]!;
      const log = parseLog(fixture.raws);
      const expected = tamper(log, kind, rand, witness.seq);
      const report = verify(serializeLog(log), fixture, witness);
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (report.ok || report.failure?.seq !== expected) misses.push(`#${n} ${kind} at ${expected}: ${report.ok ? "not detected" : `named ${report.failure?.seq}: ${report.failure?.reason}`}`);
    }
    expect(misses).toEqual([]);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(TAMPERINGS);
  });
});
