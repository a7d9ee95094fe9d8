// The checkpoint signing key on disk, created at first start under [audit] storage_path:
//   audit-signing.key  PKCS#8 PEM, mode 0600: never leaves this machine, never enters the store
//   audit-signing.pub  SPKI PEM, mode 0644: what `claw audit verify --public-key` trusts
//
// Why a file and not the store: whoever can write the store can rewrite the log, so a key kept beside the
// log could re-sign a forged one; a key on the server's disk cannot be used by someone who only reaches
// etcd (or a backup of it). With several servers on one etcd each has its own key and publishes its
// public key in the store (/claw/audit/keys/{keyId}) and at GET …/publickeys; verifiers pin the set.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { signerFromPem, type CheckpointSigner } from "../client/audit/checkpoint.js";

export const SIGNING_KEY_FILE = "audit-signing.key";
export const PUBLIC_KEY_FILE = "audit-signing.pub";

export interface SigningKeyFiles {
  signer: CheckpointSigner;
  privateKeyPath: string;
  publicKeyPath: string;
  created: boolean;
}

/** Loads the signing key from dir, creating it (and dir, mode 0700) on first use. */
export function loadOrCreateSigningKey(dir: string): SigningKeyFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, SIGNING_KEY_FILE);
  const publicKeyPath = join(dir, PUBLIC_KEY_FILE);
  let created = false;
  let pem: string;
  try {
    pem = readFileSync(privateKeyPath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read the audit signing key ${privateKeyPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    try {
      // wx: if another process created it meanwhile, use theirs rather than overwrite it.
      writeFileSync(privateKeyPath, pem, { mode: 0o600, flag: "wx" });
      created = true;
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`cannot write the audit signing key ${privateKeyPath}: ${(writeErr as Error).message}`);
      pem = readFileSync(privateKeyPath, "utf8");
    }
  }
  chmodSync(privateKeyPath, 0o600);
  let signer: CheckpointSigner;
  try {
    signer = signerFromPem(pem);
  } catch (err) {
    throw new Error(`the audit signing key ${privateKeyPath} cannot be used: ${(err as Error).message}; move it away to have a new key created (old checkpoints stay verifiable with the old public key)`);
  }
  writeFileSync(publicKeyPath, signer.publicKeyPem, { mode: 0o644 });
  return { signer, privateKeyPath, publicKeyPath, created };
}
