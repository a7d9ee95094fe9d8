// The JWT signing secret when gateway.toml names none: 32 random bytes generated once and kept in an
// internal store key, so every server sharing the store signs and verifies with the same one. Sealed
// under the master keyring when the server has one (the module context's sealer): a record written in
// plain text by an older server is sealed on the next start, and one sealed under a retired key is
// re-sealed under the current one.

import type { SealedBlob, ValueSealer } from "../server/module.js";
import { internalKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import { MIN_JWT_SECRET_BYTES } from "./auth-config.js";

export const JWT_SECRET_KEY = internalKey("auth", "jwt-signing-secret");
const SEAL_NAME = "jwt-signing-secret";

interface SecretRecord {
  /** base64, in records written without a sealer. */
  secret?: string;
  sealed?: SealedBlob;
  createdAt: string;
}

export interface EnsureJwtSecretOptions {
  store: Store;
  randomBytes: (n: number) => Uint8Array;
  now: string;
  sealer?: ValueSealer;
}

export async function ensureJwtSecret(opts: EnsureJwtSecretOptions): Promise<Uint8Array> {
  for (;;) {
    const existing = await opts.store.get(JWT_SECRET_KEY);
    if (existing) {
      const record = JSON.parse(existing.value) as SecretRecord;
      const secret = secretOf(record, opts.sealer);
      if (secret.length < MIN_JWT_SECRET_BYTES) throw new Error(`the stored JWT signing secret (${JWT_SECRET_KEY}) is shorter than ${MIN_JWT_SECRET_BYTES} bytes`);
      const stale = opts.sealer && (!record.sealed || !opts.sealer.isCurrent(record.sealed));
      if (stale) await reseal(opts, record, secret, existing.modRevision);
      return secret;
    }
    const secret = opts.randomBytes(MIN_JWT_SECRET_BYTES);
    try {
      await opts.store.create(JWT_SECRET_KEY, JSON.stringify(recordOf(secret, opts)));
    } catch (err) {
      // Another server sharing the store made it first; read theirs.
      if (!isStoreError(err, "KeyExists")) throw err;
    }
  }
}

function secretOf(record: SecretRecord, sealer: ValueSealer | undefined): Uint8Array {
  if (record.sealed) {
    if (!sealer) throw new Error(`the stored JWT signing secret (${JWT_SECRET_KEY}) is sealed, and this server has no master key to open it`);
    try {
      return sealer.open(SEAL_NAME, record.sealed);
    } catch (err) {
      throw new Error(`the stored JWT signing secret cannot be opened with this server's master key (${(err as Error).message}); start the server with the master key that sealed it`);
    }
  }
  return new Uint8Array(Buffer.from(record.secret ?? "", "base64"));
}

const recordOf = (secret: Uint8Array, opts: EnsureJwtSecretOptions): SecretRecord =>
  opts.sealer ? { sealed: opts.sealer.seal(SEAL_NAME, secret), createdAt: opts.now } : { secret: Buffer.from(secret).toString("base64"), createdAt: opts.now };

/** Seals a plain-text record, or re-seals one under a retired key; another server doing it first is fine. */
async function reseal(opts: EnsureJwtSecretOptions, record: SecretRecord, secret: Uint8Array, modRevision: number): Promise<void> {
  try {
    await opts.store.update(JWT_SECRET_KEY, JSON.stringify({ ...recordOf(secret, opts), createdAt: record.createdAt }), modRevision);
  } catch (err) {
    if (!isStoreError(err, "RevisionConflict") && !isStoreError(err, "KeyNotFound")) throw err;
  }
}
