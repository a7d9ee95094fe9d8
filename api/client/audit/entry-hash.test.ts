import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";
import { entryHash, entryHashInput, GENESIS_HASH, sha256Hex } from "./entry-hash.js";
import type { AuditEntry } from "./event.js";

const entry = (modify: (e: AuditEntry) => void = () => {}): AuditEntry => {
  const e: AuditEntry = {
    seq: 42,
    time: "2026-01-01T00:00:00.123Z",
    type: "auth.login",
    actor: "user:alice",
    sourceIp: "10.0.0.7",
    resource: { group: "security.clawbernetes.com", kind: "User", name: "alice" },
    outcome: "failure",
    details: { reason: "bad password", attempts: 3, nested: { b: [1, "x"], a: null } },
    prevHash: GENESIS_HASH,
  };
  modify(e);
  return e;
};

describe("entry hash", () => {
  const cases: { name: string; entry: AuditEntry }[] = [
    { name: "a full entry", entry: entry() },
    { name: "an entry without a resource", entry: entry((e) => (e.resource = null)) },
    { name: "an unchained entry (hash_chain = false)", entry: entry((e) => delete e.prevHash) },
    { name: "an entry with unicode and escapes", entry: entry((e) => (e.details = { "ключ": "значение\n\"q\"", é: 1 })) },
    { name: "an entry with a member an attacker added", entry: entry((e) => ((e as unknown as Record<string, unknown>).injected = { z: 1, a: 2 })) },
  ];
  for (const c of cases) {
    it(`hashes the canonical JSON of ${c.name}, without its hash member`, () => {
      const withHash = { ...c.entry, hash: "f".repeat(64) };
      const { hash: _h, ...rest } = withHash;
      expect(entryHashInput(withHash)).toBe(canonicalJson(rest));
      expect(entryHash(withHash)).toBe(sha256Hex(canonicalJson(rest)));
    });
  }

  it("changes when any member changes", () => {
    const base = entryHash(entry());
    expect(entryHash(entry((e) => (e.actor = "user:mallory")))).not.toBe(base);
    expect(entryHash(entry((e) => (e.seq = 43)))).not.toBe(base);
    expect(entryHash(entry((e) => ((e as unknown as Record<string, unknown>).extra = true)))).not.toBe(base);
  });
});
