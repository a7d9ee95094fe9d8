// Sealing a secret value: ChaCha20-Poly1305 under a key derived for this (secret, version, master key),
// with a fresh random nonce, into the Secret CRD's spec.sealed shape. Opening either returns the exact
// plaintext or throws a SealedValueError; it never returns garbage.

import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import type { SecretSealed } from "../types/secret.js";
import { associatedData, deriveValueKey, NONCE_BYTES, SEAL_ALGORITHM, TAG_BYTES, type SealTarget } from "./key-derivation.js";
import type { Keyring } from "./keyring.js";

export type SealedValueErrorReason =
  /** The sealed value is not the spec.sealed shape (missing field, bad base64, short nonce or ciphertext). */
  | "Malformed"
  /** It names an algorithm this server does not open. */
  | "UnsupportedAlgorithm"
  /** It says it is another version than the one asked for. */
  | "WrongVersion"
  /** Its key id is not in the keyring: the master key that sealed it is missing. */
  | "UnknownKeyId"
  /** The tag does not verify: the value was altered, or copied from another secret or version. */
  | "AuthenticationFailed";

export class SealedValueError extends Error {
  override name = "SealedValueError";
  constructor(
    readonly reason: SealedValueErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export const isSealedValueError = (err: unknown, reason?: SealedValueErrorReason): err is SealedValueError =>
  err instanceof SealedValueError && (reason === undefined || err.reason === reason);

export interface SealOptions {
  keyring: Keyring;
  /** Cryptographically secure random bytes (injected; the runtime's only source of randomness). */
  random: (n: number) => Uint8Array;
}

/** Seals a value for one version of one secret under the keyring's primary key. */
export function sealValue(plaintext: string | Uint8Array, target: SealTarget, opts: SealOptions): SecretSealed {
  const keyId = opts.keyring.primaryId;
  const nonce = opts.random(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`random(${NONCE_BYTES}) returned ${nonce.length} bytes`);
  const key = deriveValueKey(opts.keyring.keyFor(keyId)!, target);
  const bytes = typeof plaintext === "string" ? new TextEncoder().encode(plaintext) : plaintext;
  try {
    const ciphertext = chacha20poly1305(key, nonce, associatedData(target, keyId)).encrypt(bytes);
    return { version: target.version, keyId, algorithm: SEAL_ALGORITHM, nonce: toBase64(nonce), ciphertext: toBase64(ciphertext) };
  } finally {
    key.fill(0);
  }
}

/** Opens a sealed value read from the store for the secret and version the caller expects. */
export function openSealedValue(sealed: unknown, target: SealTarget, keyring: Keyring): Uint8Array {
  const where = `the sealed value of secret "${target.name}" version ${target.version}`;
  const s = narrowSealed(sealed, where);
  if (s.algorithm !== SEAL_ALGORITHM) throw new SealedValueError("UnsupportedAlgorithm", `${where} uses ${s.algorithm}; this server opens only ${SEAL_ALGORITHM}`);
  if (s.version !== target.version) throw new SealedValueError("WrongVersion", `${where} says it is version ${s.version}: it was copied from another version`);
  const master = keyring.keyFor(s.keyId);
  if (!master)
    throw new SealedValueError("UnknownKeyId", `${where} was sealed with master key ${s.keyId}, which this server does not have (it has ${keyring.ids.join(", ")}); add that key to the keyring`);
  const nonce = fromBase64(s.nonce, where, "nonce");
  const ciphertext = fromBase64(s.ciphertext, where, "ciphertext");
  if (nonce.length !== NONCE_BYTES) throw new SealedValueError("Malformed", `${where} has a ${nonce.length}-byte nonce; it must be ${NONCE_BYTES}`);
  if (ciphertext.length < TAG_BYTES) throw new SealedValueError("Malformed", `${where} is shorter than its authentication tag`);
  const key = deriveValueKey(master, target);
  try {
    return chacha20poly1305(key, nonce, associatedData(target, s.keyId)).decrypt(ciphertext);
  } catch {
    throw new SealedValueError("AuthenticationFailed", `${where} does not authenticate under master key ${s.keyId}: it was altered, or copied from another secret or version`);
  } finally {
    key.fill(0);
  }
}

/** Narrows store data to the spec.sealed shape, or says which field is wrong. */
function narrowSealed(value: unknown, where: string): SecretSealed {
  if (typeof value !== "object" || value === null) throw new SealedValueError("Malformed", `${where} is missing`);
  const v = value as Record<string, unknown>;
  for (const field of ["keyId", "algorithm", "nonce", "ciphertext"] as const) {
    if (typeof v[field] !== "string" || v[field] === "") throw new SealedValueError("Malformed", `${where} has no ${field}`);
  }
  if (typeof v.version !== "number") throw new SealedValueError("Malformed", `${where} has no version`);
  return v as unknown as SecretSealed;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(text: string, where: string, field: string): Uint8Array {
  const bytes = Buffer.from(text, "base64");
  // Buffer skips characters it does not know; a value that does not round-trip was altered.
  if (!BASE64.test(text) || bytes.toString("base64") !== text) throw new SealedValueError("Malformed", `${where} has a ${field} that is not base64`);
  return new Uint8Array(bytes);
}

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
