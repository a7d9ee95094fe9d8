// How a master key becomes the key that seals one version of one secret, its key id, and the associated
// data that ties a ciphertext to where it belongs. Every constant here is part of the stored format.

import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex, concatBytes, utf8ToBytes } from "@noble/hashes/utils.js";

export const MASTER_KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const SEAL_ALGORITHM = "chacha20-poly1305";

// BLAKE3 derive_key contexts: hard-coded and globally unique ("[application] [date] [purpose]"), never variable data.
export const VALUE_KEY_CONTEXT = "clawbernetes 2026-01-01 secret value key v1";
export const KEY_ID_CONTEXT = "clawbernetes 2026-01-01 master key id v1";
/** Prefixes the associated data, so it cannot be mistaken for another structure's. */
export const AAD_DOMAIN = "clawbernetes secret value aad v1";

/** Where a sealed value belongs: the Secret's name and the version of its value. */
export interface SealTarget {
  name: string;
  version: number;
}

/** A short, stable fingerprint of a master key (16 hex digits), safe to store and show; never the key. */
export function keyIdOf(masterKey: Uint8Array): string {
  checkMasterKey(masterKey);
  return bytesToHex(blake3(masterKey, { context: utf8ToBytes(KEY_ID_CONTEXT), dkLen: 8 }));
}

/**
 * The 32-byte key for one (secret, version) under one master key. BLAKE3 wants the context constant and
 * the variable parts in the key material, so the material is master key ‖ len(name) ‖ name ‖ version:
 * the master key is fixed-length and the name length-prefixed, so no two targets share material, and
 * the key id is a function of the master key, so each (name, version, key id) gets its own key.
 */
export function deriveValueKey(masterKey: Uint8Array, target: SealTarget): Uint8Array {
  checkMasterKey(masterKey);
  return blake3(concatBytes(masterKey, encodeTarget(target)), { context: utf8ToBytes(VALUE_KEY_CONTEXT), dkLen: 32 });
}

/**
 * The AEAD associated data: domain ‖ algorithm ‖ name ‖ version ‖ key id, each length-prefixed. The
 * derived key already differs per target; binding them here as well means a ciphertext copied to
 * another secret, version or key id fails authentication even if key derivation ever changes.
 */
export function associatedData(target: SealTarget, keyId: string): Uint8Array {
  return concatBytes(prefixed(utf8ToBytes(AAD_DOMAIN)), prefixed(utf8ToBytes(SEAL_ALGORITHM)), encodeTarget(target), prefixed(utf8ToBytes(keyId)));
}

/** len(name) ‖ name ‖ version, both lengths big-endian; throws on a target no Secret can have. */
export function encodeTarget(target: SealTarget): Uint8Array {
  if (target.name === "") throw new RangeError("a sealed value needs the secret's name");
  if (!Number.isSafeInteger(target.version) || target.version < 1) throw new RangeError(`secret version ${target.version} is not a whole number from 1`);
  const version = new Uint8Array(8);
  new DataView(version.buffer).setBigUint64(0, BigInt(target.version));
  return concatBytes(prefixed(utf8ToBytes(target.name)), version);
}

function prefixed(bytes: Uint8Array): Uint8Array {
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, bytes.length);
  return concatBytes(length, bytes);
}

function checkMasterKey(masterKey: Uint8Array): void {
  if (masterKey.length !== MASTER_KEY_BYTES) throw new RangeError(`a master key is ${MASTER_KEY_BYTES} bytes, not ${masterKey.length}`);
}
