// Random secret values from the generator a Secret names (spec.valueFrom.generate): uniform over the
// charset (rejection sampling, no modulo bias), from injected randomness.

import type { SecretValueFromGenerate, SecretValueFromGenerateCharset } from "../types/secret.js";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CHARSETS: Record<SecretValueFromGenerateCharset, string> = {
  alphanumeric: ALNUM,
  hex: "0123456789abcdef",
  base64url: `${ALNUM}-_`,
  // Every printable ASCII character but space.
  printable: Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(""),
};

export const DEFAULT_LENGTH = 32;

export function generateValue(spec: SecretValueFromGenerate, random: (n: number) => Uint8Array): string {
  const chars = CHARSETS[spec.charset ?? "alphanumeric"];
  const length = spec.length ?? DEFAULT_LENGTH;
  // The largest multiple of the charset size below 256: bytes at or above it are drawn again.
  const limit = 256 - (256 % chars.length);
  let out = "";
  while (out.length < length) {
    for (const byte of random(length - out.length + 16)) {
      if (byte >= limit) continue;
      out += chars[byte % chars.length];
      if (out.length === length) break;
    }
  }
  return out;
}
