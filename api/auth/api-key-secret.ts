// API key ids and secrets. The key id (`ak_` + 20 base62) is derived from the ApiKey object's uid, so
// it is fixed for the object's life and its secret record can be created exactly once. The secret is
// `clk_` + the key id's 20 characters + 32 random base62 characters (~190 bits): authentication finds
// the record by the key id it carries, never by scanning, and compares SHA-256 hashes in constant time.

import { createHash, hash, timingSafeEqual } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_ID_CHARS = 20;
const RANDOM_CHARS = 32;
const SECRET_RE = /^clk_([0-9A-Za-z]{20})[0-9A-Za-z]{32}$/;

/** Base62 text from a byte source; rejection sampling (bytes ≥ 248 are skipped) keeps it unbiased. */
export function base62(bytes: (n: number) => Uint8Array, length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of bytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

/** The public key id of the ApiKey object with this uid. */
export function keyIdFor(uid: string): string {
  let counter = 0;
  const hashed = () => createHash("sha256").update(`claw/apikey-id/${counter++}/${uid}`).digest();
  return `ak_${base62(hashed, KEY_ID_CHARS)}`;
}

/** A new secret for a key id. */
export function newSecret(keyId: string, randomBytes: (n: number) => Uint8Array): string {
  return `clk_${keyId.slice(3)}${base62(randomBytes, RANDOM_CHARS)}`;
}

/** The key id a well-formed secret carries; undefined for anything else. */
export function keyIdOfSecret(secret: string): string | undefined {
  const match = SECRET_RE.exec(secret);
  return match ? `ak_${match[1]!}` : undefined;
}

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

/** Constant-time comparison of a presented secret with a stored SHA-256 hash (hex, or its bytes). */
export function secretMatches(secret: string, sha256: string | Buffer): boolean {
  // One-shot hash: the same SHA-256 without a Hash object per request.
  const presented = hash("sha256", secret, "buffer") as unknown as Buffer;
  const expected = typeof sha256 === "string" ? Buffer.from(sha256, "hex") : sha256;
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
