import { createCipheriv, createDecipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { SecretSealed } from "../types/secret.js";
import { associatedData, deriveValueKey, keyIdOf, type SealTarget } from "./key-derivation.js";
import { Keyring } from "./keyring.js";
import { isSealedValueError, openSealedValue, sealValue, type SealedValueErrorReason } from "./sealing.js";

const masterA = new Uint8Array(32).fill(0xa1);
const masterB = new Uint8Array(32).fill(0xb2);
const keyring = new Keyring([masterA]);
const target: SealTarget = { name: "db-password", version: 3 };

/** Deterministic "random" bytes: each call returns the next counter values, so every nonce differs. */
function counterRandom(): (n: number) => Uint8Array {
  let next = 0;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

const seal = (value = "s3cret-value", to: SealTarget = target, ring = keyring) => sealValue(value, to, { keyring: ring, random: counterRandom() });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Flips one bit of one byte of a base64 field. */
function flip(b64: string, index: number): string {
  const bytes = Buffer.from(b64, "base64");
  bytes[index < 0 ? bytes.length + index : index]! ^= 0x01;
  return bytes.toString("base64");
}

describe("sealing a value", () => {
  it("produces the Secret CRD's spec.sealed shape under the primary key", () => {
    const sealed = seal();
    expect(sealed).toEqual({ version: 3, keyId: keyIdOf(masterA), algorithm: "chacha20-poly1305", nonce: expect.any(String), ciphertext: expect.any(String) });
    expect(Buffer.from(sealed.nonce, "base64")).toHaveLength(12);
    expect(Buffer.from(sealed.ciphertext, "base64")).toHaveLength("s3cret-value".length + 16);
    expect(JSON.stringify(sealed)).not.toContain("s3cret");
  });

  it("uses a fresh nonce from the injected randomness for every encryption of the same value", () => {
    const random = counterRandom();
    const a = sealValue("same", target, { keyring, random });
    const b = sealValue("same", target, { keyring, random });
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("refuses randomness that returns the wrong number of bytes", () => {
    expect(() => sealValue("v", target, { keyring, random: () => new Uint8Array(8) })).toThrow(/returned 8 bytes/);
  });

  const roundTrips = [
    { name: "opens a text value to the same bytes", value: "s3cret-value" as string | Uint8Array },
    { name: "opens an empty value", value: "" },
    { name: "opens a binary value with every byte", value: Uint8Array.from({ length: 256 }, (_, i) => i) },
    { name: "opens a multi-byte UTF-8 value", value: "pässwörd-🔑" },
  ];
  it.each(roundTrips)("$name", ({ value }) => {
    const want = typeof value === "string" ? new TextEncoder().encode(value) : value;
    expect(openSealedValue(seal(value as string), target, keyring)).toEqual(want);
  });

  it("a value sealed before a rotation opens when its key is kept after the new primary", () => {
    const old = seal("v1", target, new Keyring([masterA]));
    const rotated = new Keyring([masterB, masterA]);
    expect(text(openSealedValue(old, target, rotated))).toBe("v1");
    expect(seal("v2", target, rotated).keyId).toBe(keyIdOf(masterB));
  });
});

describe("node:crypto's chacha20-poly1305 is byte-identical", () => {
  const key = deriveValueKey(masterA, target);
  const aad = associatedData(target, keyIdOf(masterA));

  it("encrypting with node:crypto under the same key, nonce and associated data gives the same ciphertext and tag", () => {
    const sealed = seal("byte for byte");
    const plaintext = Buffer.from("byte for byte");
    const cipher = createCipheriv("chacha20-poly1305", key, Buffer.from(sealed.nonce, "base64"), { authTagLength: 16 });
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    const ours = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    expect(ours.toString("base64")).toBe(sealed.ciphertext);
  });

  it("node:crypto opens what sealValue sealed", () => {
    const sealed = seal("both ways");
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    const decipher = createDecipheriv("chacha20-poly1305", key, Buffer.from(sealed.nonce, "base64"), { authTagLength: 16 });
    decipher.setAAD(aad, { plaintextLength: bytes.length - 16 });
    decipher.setAuthTag(bytes.subarray(-16));
    expect(Buffer.concat([decipher.update(bytes.subarray(0, -16)), decipher.final()]).toString()).toBe("both ways");
  });
});

describe("opening refuses anything but the value sealed for this secret and version", () => {
  const good = seal();
  const other = seal("another secret's value", { name: "api-key", version: 3 });
  const cases: { name: string; sealed: unknown; target?: SealTarget; ring?: Keyring; reason: SealedValueErrorReason }[] = [
    { name: "a flipped ciphertext byte fails authentication", sealed: { ...good, ciphertext: flip(good.ciphertext, 0) }, reason: "AuthenticationFailed" },
    { name: "a flipped tag byte fails authentication", sealed: { ...good, ciphertext: flip(good.ciphertext, -1) }, reason: "AuthenticationFailed" },
    { name: "a flipped nonce byte fails authentication", sealed: { ...good, nonce: flip(good.nonce, 5) }, reason: "AuthenticationFailed" },
    { name: "another secret's sealed value copied onto this one fails authentication", sealed: other, reason: "AuthenticationFailed" },
    { name: "a sealed value opened as another secret fails authentication", sealed: good, target: { ...target, name: "api-key" }, reason: "AuthenticationFailed" },
    { name: "a sealed value relabelled as another version fails authentication", sealed: { ...good, version: 4 }, target: { ...target, version: 4 }, reason: "AuthenticationFailed" },
    { name: "a sealed value of another version is refused before decryption", sealed: good, target: { ...target, version: 4 }, reason: "WrongVersion" },
    { name: "a key id swapped for another key in the keyring fails authentication", sealed: { ...good, keyId: keyIdOf(masterB) }, ring: new Keyring([masterA, masterB]), reason: "AuthenticationFailed" },
    { name: "a key id the keyring lacks is an unknown key", sealed: good, ring: new Keyring([masterB]), reason: "UnknownKeyId" },
    { name: "another algorithm is unsupported", sealed: { ...good, algorithm: "aes-256-gcm" }, reason: "UnsupportedAlgorithm" },
    { name: "a nonce that is not base64 is malformed", sealed: { ...good, nonce: "not*base64!" }, reason: "Malformed" },
    { name: "a short nonce is malformed", sealed: { ...good, nonce: Buffer.alloc(8).toString("base64") }, reason: "Malformed" },
    { name: "a ciphertext shorter than its tag is malformed", sealed: { ...good, ciphertext: Buffer.alloc(15).toString("base64") }, reason: "Malformed" },
    { name: "a missing ciphertext is malformed", sealed: { ...good, ciphertext: undefined }, reason: "Malformed" },
    { name: "a version that is not a number is malformed", sealed: { ...good, version: "3" }, reason: "Malformed" },
    { name: "no sealed value at all is malformed", sealed: null, reason: "Malformed" },
  ];
  it.each(cases)("$name", ({ sealed, target: to = target, ring = keyring, reason }) => {
    let thrown: unknown;
    try {
      openSealedValue(sealed, to, ring);
    } catch (err) {
      thrown = err;
    }
    expect(isSealedValueError(thrown, reason)).toBe(true);
    expect((thrown as Error).message).toContain(`secret "${to.name}" version ${to.version}`);
    expect((thrown as Error).message).not.toContain("s3cret");
  });

  it("the good value still opens (the table's failures come from the changes alone)", () => {
    expect(text(openSealedValue(good as SecretSealed, target, keyring))).toBe("s3cret-value");
  });
});
