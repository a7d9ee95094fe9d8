// Private keys as PKCS#8 PEM, made and read with node:crypto's synchronous calls: issuing thousands of
// certificates a second leaves no room for WebCrypto's promise per operation.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { KeySpec } from "./certificate-template.js";

/** The curve of each ECDSA size, by the name node:crypto takes and the name it reports. */
const CURVES: ReadonlyMap<number, { generate: string; reported: string }> = new Map([
  [256, { generate: "P-256", reported: "prime256v1" }],
  [384, { generate: "P-384", reported: "secp384r1" }],
  [521, { generate: "P-521", reported: "secp521r1" }],
]);
const RSA_SIZES: readonly number[] = [2048, 3072, 4096];

export function generatePrivateKey(spec: KeySpec): string {
  return generateKey(spec).export({ type: "pkcs8", format: "pem" }).toString();
}

function generateKey(spec: KeySpec): KeyObject {
  switch (spec.algorithm) {
    case "ECDSA": {
      const size = spec.size ?? 256;
      const curve = CURVES.get(size);
      if (!curve) throw new Error(`privateKey.size ${size} is not an ECDSA size: use 256, 384 or 521`);
      return generateKeyPairSync("ec", { namedCurve: curve.generate }).privateKey;
    }
    case "RSA": {
      const size = spec.size ?? 2048;
      if (!RSA_SIZES.includes(size)) throw new Error(`privateKey.size ${size} is not an RSA size: use 2048, 3072 or 4096`);
      return generateKeyPairSync("rsa", { modulusLength: size, publicExponent: 0x10001 }).privateKey;
    }
    case "Ed25519":
      return generateKeyPairSync("ed25519").privateKey;
    default:
      throw new Error(`privateKey.algorithm ${String((spec as { algorithm: unknown }).algorithm)} is not supported: use ECDSA, Ed25519 or RSA`);
  }
}

/** What a PEM private key is: its algorithm and size. */
export function keySpecOf(privateKeyPem: string): KeySpec {
  return keySpecOfKey(createPrivateKey(privateKeyPem));
}

/** What a private or public key object is; refuses the kinds claw does not issue (DSA, Ed448, other curves). */
export function keySpecOfKey(key: KeyObject): KeySpec {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "ec":
      for (const [size, curve] of CURVES) if (curve.reported === details.namedCurve) return { algorithm: "ECDSA", size };
      throw new Error(`the key's curve ${details.namedCurve ?? "(unknown)"} is not supported: use P-256, P-384 or P-521`);
    case "rsa":
      return { algorithm: "RSA", size: details.modulusLength ?? 0 };
    case "ed25519":
      return { algorithm: "Ed25519" };
    default:
      throw new Error(`the key type ${key.asymmetricKeyType ?? "(unknown)"} is not supported: use ECDSA, Ed25519 or RSA`);
  }
}

/** The SubjectPublicKeyInfo PEM of a PEM private key. */
export function publicKeyPemOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: "spki", format: "pem" }).toString();
}
