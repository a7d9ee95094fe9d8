import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { associatedData, deriveValueKey, encodeTarget, keyIdOf, type SealTarget } from "./key-derivation.js";

const masterA = new Uint8Array(32).fill(0xa1);
const masterB = new Uint8Array(32).fill(0xb2);
const hex = bytesToHex;

describe("per-secret-version keys", () => {
  const base: SealTarget = { name: "db-password", version: 1 };
  const cases: { name: string; a: [Uint8Array, SealTarget]; b: [Uint8Array, SealTarget] }[] = [
    { name: "another secret gets another key", a: [masterA, base], b: [masterA, { ...base, name: "api-key" }] },
    { name: "another version gets another key", a: [masterA, base], b: [masterA, { ...base, version: 2 }] },
    { name: "another master key (key id) gets another key", a: [masterA, base], b: [masterB, base] },
    { name: "a name cannot borrow digits from the version", a: [masterA, { name: "a1", version: 1 }], b: [masterA, { name: "a", version: 11 }] },
  ];
  it.each(cases)("$name", ({ a, b }) => {
    expect(hex(deriveValueKey(...a))).not.toBe(hex(deriveValueKey(...b)));
  });

  it("the same secret, version and master key always derive the same key (pinned: the stored format depends on it)", () => {
    expect(hex(deriveValueKey(masterA, base))).toBe(hex(deriveValueKey(Uint8Array.from(masterA), { ...base })));
    expect(hex(deriveValueKey(masterA, base))).toMatchInlineSnapshot(`"1c28464aa0df3ee26d1a5580970e9562a4bfd700713a9a16f97f27c4f97fda45"`);
  });

  it("the key id is 16 hex digits, stable, differs per key and is not the key's prefix", () => {
    expect(keyIdOf(masterA)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(masterA)).toBe(keyIdOf(Uint8Array.from(masterA)));
    expect(keyIdOf(masterA)).not.toBe(keyIdOf(masterB));
    expect(hex(masterA).startsWith(keyIdOf(masterA))).toBe(false);
    expect(keyIdOf(masterA)).toMatchInlineSnapshot(`"abb5c37c384bc5f6"`);
  });

  it("the associated data differs per secret, version and key id", () => {
    const all = [associatedData(base, "k1"), associatedData({ ...base, name: "other" }, "k1"), associatedData({ ...base, version: 2 }, "k1"), associatedData(base, "k2")].map(hex);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("@noble/hashes' blake3 with a context is BLAKE3 derive_key", () => {
  // From BLAKE3's test_vectors.json: input i % 251 of the given length, this context.
  const context = utf8ToBytes("BLAKE3 2019-12-27 16:29:52 test vectors context");
  const cases = [
    { name: "the empty key material matches the official vector", length: 0, want: "2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d" },
    { name: "one byte of key material matches the official vector", length: 1, want: "b3e2e340a117a499c6cf2398a19ee0d29cca2bb7404c73063382693bf66cb06c" },
  ];
  it.each(cases)("$name", ({ length, want }) => {
    const material = Uint8Array.from({ length }, (_, i) => i % 251);
    expect(hex(blake3(material, { context }))).toBe(want);
  });
});

describe("targets no Secret can have are refused", () => {
  const cases: { name: string; target: SealTarget }[] = [
    { name: "an empty name", target: { name: "", version: 1 } },
    { name: "version 0", target: { name: "s", version: 0 } },
    { name: "a fractional version", target: { name: "s", version: 1.5 } },
    { name: "a version beyond 2^53", target: { name: "s", version: 2 ** 60 } },
  ];
  it.each(cases)("refuses $name", ({ target }) => {
    expect(() => encodeTarget(target)).toThrow(RangeError);
  });

  it("refuses a master key that is not 32 bytes", () => {
    expect(() => deriveValueKey(new Uint8Array(31), { name: "s", version: 1 })).toThrow(/32 bytes, not 31/);
    expect(() => keyIdOf(new Uint8Array(33))).toThrow(/32 bytes, not 33/);
  });
});
