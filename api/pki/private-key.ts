// Private keys as PKCS#8 PEM, made and read with node:crypto's synchronous calls: issuing thousands of
// certificates a second leaves no room for WebCrypto's promise per operation.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";
import type { KeySpec } from "./certificate-template.js";
import { derBits, derChildren, pemBody, readDer, sequence } from "./der.js";

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
  return loadPrivateKey(privateKeyPem).spec;
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

/** A PKCS#8 private key ready to use: what it is, its SubjectPublicKeyInfo (DER), and a KeyObject to sign with. */
export interface LoadedKey {
  spec: KeySpec;
  spkiDer: Buffer;
  keyObject: () => KeyObject;
}

/** Algorithm and curve OIDs as the hexadecimal of their DER contents. */
const EC_PUBLIC_KEY = "2a8648ce3d0201";
const RSA_ENCRYPTION = "2a864886f70d010101";
const CURVE_OIDS: ReadonlyMap<string, { crv: string; size: number }> = new Map([
  ["2a8648ce3d030107", { crv: "P-256", size: 256 }],
  ["2b81040022", { crv: "P-384", size: 384 }],
  ["2b81040023", { crv: "P-521", size: 521 }],
]);

/**
 * Reads ECDSA and RSA PKCS#8 keys field by field and gives node:crypto a JWK, which it imports without OpenSSL
 * 3.0's decoders: createPrivateKey of a PEM takes ~0.5 ms here, more than generating a P-256 key and signing.
 * Ed25519 PKCS#8 carries no public key to read, and other kinds are keySpecOfKey's to refuse: createPrivateKey.
 */
export function loadPrivateKey(pem: string): LoadedKey {
  const [version, algorithm, privateKey] = derChildren(readDer(pemBody(pem, "PRIVATE KEY")));
  const [oid, parameters] = algorithm ? derChildren(algorithm) : [];
  const kind = version && privateKey ? oid?.contents.toString("hex") : undefined;
  if (algorithm && privateKey && kind === EC_PUBLIC_KEY) {
    const curve = CURVE_OIDS.get(parameters?.contents.toString("hex") ?? "");
    const [, d, ...optional] = derChildren(readDer(privateKey.contents)); // ECPrivateKey (RFC 5915)
    const publicKey = optional.find((e) => e.tag === 0xa1);
    if (curve && d && publicKey) {
      const point = readDer(publicKey.contents).contents.subarray(1); // 04 || x || y, past the unused-bits byte
      const half = (point.length - 1) / 2;
      const jwk: JsonWebKey = { kty: "EC", crv: curve.crv, d: base64url(d.contents, half), x: base64url(point.subarray(1, 1 + half)), y: base64url(point.subarray(1 + half)) };
      return { spec: { algorithm: "ECDSA", size: curve.size }, spkiDer: sequence(algorithm.encoded, derBits(point)), keyObject: () => createPrivateKey({ key: jwk, format: "jwk" }) };
    }
  }
  if (algorithm && privateKey && kind === RSA_ENCRYPTION) {
    const fields = derChildren(readDer(privateKey.contents)); // RSAPrivateKey (RFC 8017): version, n, e, d, p, q, dp, dq, qi
    const [n, e, d, p, q, dp, dq, qi] = fields.slice(1).map((f) => f.contents);
    if (fields.length === 9 && fields[0]!.contents[0] === 0 && n && e && d && p && q && dp && dq && qi) {
      const jwk: JsonWebKey = { kty: "RSA", n: base64url(n), e: base64url(e), d: base64url(d), p: base64url(p), q: base64url(q), dp: base64url(dp), dq: base64url(dq), qi: base64url(qi) };
      const modulus = n[0] === 0 ? n.subarray(1) : n;
      const size = modulus.length * 8 - (Math.clz32(modulus[0] ?? 0) - 24);
      return { spec: { algorithm: "RSA", size }, spkiDer: sequence(algorithm.encoded, derBits(sequence(fields[1]!.encoded, fields[2]!.encoded))), keyObject: () => createPrivateKey({ key: jwk, format: "jwk" }) };
    }
  }
  const key = createPrivateKey(pem);
  return { spec: keySpecOfKey(key), spkiDer: createPublicKey(key).export({ type: "spki", format: "der" }), keyObject: () => key };
}

/** An unsigned big-endian integer as base64url, without DER's sign byte, left-padded to `bytes` when given. */
function base64url(integer: Buffer, bytes?: number): string {
  const unsigned = integer.length > 1 && integer[0] === 0 ? integer.subarray(1) : integer;
  return (bytes && unsigned.length < bytes ? Buffer.concat([Buffer.alloc(bytes - unsigned.length), unsigned]) : unsigned).toString("base64url");
}
