// Signed checkpoints: an Ed25519 signature over (seq, hash, time) of one entry of the chain. A checkpoint
// vouches for every entry up to seq (each entry's hash covers its predecessor's), so a verifier that
// trusts the public key detects any rewrite up to there, even one that recomputed every hash.

import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from "node:crypto";

export interface Checkpoint {
  seq: number;
  /** The hash of entry `seq`. */
  hash: string;
  /** When it was signed, RFC 3339 with ms. */
  time: string;
  /** Which key signed it (keyIdOf its public key). */
  keyId: string;
  /** Ed25519 signature, base64, over checkpointPayload. */
  signature: string;
}

/** The exact bytes signed: a fixed label (so the signature means nothing elsewhere) and the three fields. */
export const checkpointPayload = (c: Pick<Checkpoint, "seq" | "hash" | "time">): Buffer => Buffer.from(`claw-audit-checkpoint/v1\n${c.seq}\n${c.hash}\n${c.time}`, "utf8");

/** 16 hex characters of SHA-256 over the public key's SPKI DER: short, stable, and names the key. */
export const keyIdOf = (publicKey: KeyObject): string => hash("sha256", publicKey.export({ type: "spki", format: "der" }), "hex").slice(0, 16);

export interface CheckpointSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;
  sign(fields: Pick<Checkpoint, "seq" | "hash" | "time">): Checkpoint;
}

export function signerFromPrivateKey(privateKey: KeyObject): CheckpointSigner {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`the audit signing key must be Ed25519, not ${privateKey.asymmetricKeyType ?? "unknown"}`);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    sign: (fields) => ({ seq: fields.seq, hash: fields.hash, time: fields.time, keyId, signature: sign(null, checkpointPayload(fields), privateKey).toString("base64") }),
  };
}

/** A fresh signer with a key that lives only in memory (tests, benchmarks). */
export const ephemeralSigner = (): CheckpointSigner => signerFromPrivateKey(generateKeyPairSync("ed25519").privateKey);

export const signerFromPem = (pem: string): CheckpointSigner => signerFromPrivateKey(createPrivateKey(pem));

/** Public keys by key id, from PEM text holding one or more `PUBLIC KEY` blocks. */
export function parsePublicKeys(pemText: string, source: string): Map<string, KeyObject> {
  const blocks = pemText.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${source} holds no PEM public key (-----BEGIN PUBLIC KEY-----); use the audit-signing.pub file the server wrote, or \`claw audit keys\``);
  const keys = new Map<string, KeyObject>();
  for (const block of blocks) {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (err) {
      throw new Error(`${source}: a public key block cannot be read: ${(err as Error).message}`);
    }
    if (key.asymmetricKeyType !== "ed25519") throw new Error(`${source}: a public key is ${key.asymmetricKeyType ?? "unknown"}, but audit checkpoints are signed with Ed25519`);
    keys.set(keyIdOf(key), key);
  }
  return keys;
}

/** Why a checkpoint's signature does not hold, or undefined when it does. */
export function checkpointProblem(c: Checkpoint, trusted: ReadonlyMap<string, KeyObject>): string | undefined {
  const key = trusted.get(c.keyId);
  if (!key) return `it is signed by key ${c.keyId}, which is not among the trusted public keys (${[...trusted.keys()].join(", ") || "none"})`;
  let ok = false;
  try {
    ok = verify(null, checkpointPayload(c), key, Buffer.from(c.signature, "base64"));
  } catch {
    ok = false;
  }
  return ok ? undefined : `its signature by key ${c.keyId} is not valid`;
}
