import { describe, expect, it } from "vitest";
import { base62, hashSecret, keyIdFor, keyIdOfSecret, newSecret, secretMatches } from "./api-key-secret.js";

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe("API key ids and secrets", () => {
  it("derives a fixed ak_ id from the object's uid", () => {
    const id = keyIdFor("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(id).toMatch(/^ak_[0-9A-Za-z]{20}$/);
    expect(keyIdFor("0f8fad5b-d9cb-469f-a165-70867728950e")).toBe(id);
    expect(keyIdFor("another-uid")).not.toBe(id);
  });

  it("makes clk_ secrets that carry the key id", () => {
    const id = keyIdFor("uid");
    const secret = newSecret(id, random);
    expect(secret).toMatch(/^clk_[0-9A-Za-z]{52}$/);
    expect(keyIdOfSecret(secret)).toBe(id);
    expect(newSecret(id, random)).not.toBe(secret);
  });

  it.each(["clk_short", `clk_${"a".repeat(51)}`, `clk_${"a".repeat(53)}`, `clk_${"a".repeat(51)}-`, `ak_${"a".repeat(52)}`, ""])("finds no key id in %j", (text) => {
    expect(keyIdOfSecret(text)).toBeUndefined();
  });

  it("matches a secret against its hash only", () => {
    const secret = newSecret(keyIdFor("u"), random);
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    const altered = `${secret.slice(0, -1)}${secret.endsWith("x") ? "y" : "x"}`;
    expect(secretMatches(altered, hashSecret(secret))).toBe(false);
    expect(secretMatches(secret, "abcd")).toBe(false);
  });

  it("draws base62 without bias from bytes below 248", () => {
    expect(base62(() => Uint8Array.from([0, 61, 62, 247, 248, 255, 1]), 5)).toBe("0z0z1");
  });
});
