import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KeySpec } from "./certificate-template.js";
import { der, derChildren, pemBody, readDer, sequence, TAG, toPem } from "./der.js";
import { generatePrivateKey, keySpecOf, loadPrivateKey, publicKeyPemOf } from "./private-key.js";

const SPECS: Array<[string, KeySpec, KeySpec]> = [
  ["ECDSA with the default size", { algorithm: "ECDSA" }, { algorithm: "ECDSA", size: 256 }],
  ["ECDSA P-384", { algorithm: "ECDSA", size: 384 }, { algorithm: "ECDSA", size: 384 }],
  ["ECDSA P-521", { algorithm: "ECDSA", size: 521 }, { algorithm: "ECDSA", size: 521 }],
  ["Ed25519", { algorithm: "Ed25519" }, { algorithm: "Ed25519" }],
  ["RSA with the default size", { algorithm: "RSA" }, { algorithm: "RSA", size: 2048 }],
  ["RSA 3072", { algorithm: "RSA", size: 3072 }, { algorithm: "RSA", size: 3072 }],
  ["RSA 4096", { algorithm: "RSA", size: 4096 }, { algorithm: "RSA", size: 4096 }],
];

describe("generatePrivateKey", () => {
  it.each(SPECS)("makes a PKCS#8 PEM key for %s that keySpecOf reads back", (_name, spec, expected) => {
    const pem = generatePrivateKey(spec);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    expect(keySpecOf(pem)).toEqual(expected);
    expect(publicKeyPemOf(pem)).toBe(createPublicKey(pem).export({ type: "spki", format: "pem" }));
  });

  it.each([
    ["an ECDSA size that is not a curve", { algorithm: "ECDSA", size: 512 }, /privateKey.size 512 is not an ECDSA size: use 256, 384 or 521/],
    ["an RSA size below 2048", { algorithm: "RSA", size: 1024 }, /privateKey.size 1024 is not an RSA size: use 2048, 3072 or 4096/],
    ["an algorithm claw does not issue", { algorithm: "DSA" } as unknown as KeySpec, /privateKey.algorithm DSA is not supported/],
  ])("refuses %s", (_name, spec, message) => {
    expect(() => generatePrivateKey(spec as KeySpec)).toThrow(message);
  });

  it("refuses to describe a key of a curve claw does not issue", () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => keySpecOf(pem)).toThrow(/curve secp256k1 is not supported/);
  });
});

describe("loadPrivateKey", () => {
  it.each(SPECS)("reads a %s key as OpenSSL does: the same public key, and signatures that verify", (_name, spec, expected) => {
    const pem = generatePrivateKey(spec);
    const loaded = loadPrivateKey(pem);
    expect(loaded.spec).toEqual(expected);
    expect(loaded.spkiDer.equals(createPublicKey(pem).export({ type: "spki", format: "der" }))).toBe(true);
    const digest = spec.algorithm === "Ed25519" ? null : "sha256";
    const signature = sign(digest, Buffer.from("claw"), loaded.keyObject());
    expect(verify(digest, Buffer.from("claw"), createPublicKey(pem), signature)).toBe(true);
  });

  it("reads an EC key that leaves out its public key through OpenSSL, which computes it", () => {
    const pem = generatePrivateKey({ algorithm: "ECDSA" });
    const [version, algorithm, privateKey] = derChildren(readDer(pemBody(pem, "PRIVATE KEY")));
    const [ecVersion, d] = derChildren(readDer(privateKey!.contents));
    const bare = sequence(version!.encoded, algorithm!.encoded, der(TAG.OCTET_STRING, sequence(ecVersion!.encoded, d!.encoded)));
    const loaded = loadPrivateKey(toPem("PRIVATE KEY", bare));
    expect(loaded.spkiDer.equals(createPublicKey(pem).export({ type: "spki", format: "der" }))).toBe(true);
  });
});
