import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { keyIdOf, type SealTarget } from "./key-derivation.js";
import { Keyring } from "./keyring.js";
import { checkKeyringOpens, type StoredSealedValue } from "./keyring-check.js";
import { sealValue } from "./sealing.js";

const masterA = new Uint8Array(32).fill(0xa1);
const masterB = new Uint8Array(32).fill(0xb2);
const masterC = new Uint8Array(32).fill(0xc3);
const hexA = Buffer.from(masterA).toString("hex");
const b64A = Buffer.from(masterA).toString("base64");

describe("a keyring", () => {
  it("seals with the first key and knows every key by its id, the primary first", () => {
    const ring = new Keyring([masterB, masterA]);
    expect(ring.primaryId).toBe(keyIdOf(masterB));
    expect(ring.ids).toEqual([keyIdOf(masterB), keyIdOf(masterA)]);
    expect(ring.has(keyIdOf(masterA))).toBe(true);
    expect(ring.keyFor(keyIdOf(masterC))).toBeUndefined();
  });

  it("drops a key listed twice", () => {
    expect(new Keyring([masterA, masterB, Uint8Array.from(masterA)]).ids).toEqual([keyIdOf(masterA), keyIdOf(masterB)]);
  });

  it("keeps its own copy, so a caller wiping its buffer does not change the keyring", () => {
    const key = Uint8Array.from(masterA);
    const ring = new Keyring([key]);
    key.fill(0);
    expect(ring.keyFor(keyIdOf(masterA))).toEqual(masterA);
  });

  const refused = [
    { name: "refuses an empty list of keys", keys: [] as Uint8Array[], error: /at least one/ },
    { name: "refuses a 16-byte key", keys: [new Uint8Array(16)], error: /32 bytes, not 16/ },
  ];
  it.each(refused)("$name", ({ keys, error }) => {
    expect(() => new Keyring(keys)).toThrow(error);
  });

  it("never shows the key bytes in JSON or when inspected", () => {
    const ring = new Keyring([masterA]);
    for (const shown of [JSON.stringify(ring), inspect(ring), String(Object.keys(ring))]) {
      expect(shown).not.toContain(hexA);
      expect(shown).not.toContain(b64A);
      expect(shown).not.toMatch(/161, 161/);
    }
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ primaryId: keyIdOf(masterA), ids: [keyIdOf(masterA)] });
  });
});

describe("checking the keyring against the stored data at start-up", () => {
  const random = (n: number) => new Uint8Array(n).fill(7);
  const stored = (name: string, version: number, ring: Keyring, value = "hunter2-value"): StoredSealedValue => {
    const target: SealTarget = { name, version };
    return { target, sealed: sealValue(value, target, { keyring: ring, random }) };
  };
  const oldRing = new Keyring([masterA]);
  const keySource = "the environment variable CLAW_MASTER_KEY";

  const cases: { name: string; samples: StoredSealedValue[]; ring: Keyring; want: Record<string, unknown>; message?: RegExp }[] = [
    { name: "passes when nothing is stored yet", samples: [], ring: oldRing, want: { ok: true, checked: 0 } },
    { name: "passes when every sample opens", samples: [stored("a", 1, oldRing), stored("b", 2, oldRing)], ring: oldRing, want: { ok: true, checked: 2 } },
    { name: "passes mid-rotation when the old key follows the new one", samples: [stored("a", 1, oldRing)], ring: new Keyring([masterB, masterA]), want: { ok: true, checked: 1 } },
    {
      name: "fails on a wrong master key, naming the key id that sealed the data and how to fix it",
      samples: [stored("a", 1, oldRing)],
      ring: new Keyring([masterB]),
      want: { ok: false, reason: "UnknownKeyId", target: { name: "a", version: 1 }, keyId: keyIdOf(masterA) },
      message: new RegExp(`CLAW_MASTER_KEY cannot open the stored secrets: .*${keyIdOf(masterA)}.*rekey`),
    },
    {
      name: "fails on a stored value sealed for another secret, naming the secret",
      samples: [{ target: { name: "a", version: 1 }, sealed: stored("b", 1, oldRing).sealed }],
      ring: oldRing,
      want: { ok: false, reason: "AuthenticationFailed", target: { name: "a", version: 1 } },
      message: /secret "a" version 1 does not authenticate/,
    },
  ];
  it.each(cases)("$name", ({ samples, ring, want, message }) => {
    const result = checkKeyringOpens(samples, { keyring: ring, keySource });
    expect(result).toMatchObject(want);
    if (message) expect(!result.ok && result.message).toMatch(message);
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });
});
