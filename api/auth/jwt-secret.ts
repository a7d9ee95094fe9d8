// The JWT signing secret when gateway.toml names none: 32 random bytes generated once and kept in an
// internal store key, so every server sharing the store signs and verifies with the same one.

import { internalKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import { MIN_JWT_SECRET_BYTES } from "./auth-config.js";

export const JWT_SECRET_KEY = internalKey("auth", "jwt-signing-secret");

interface SecretRecord {
  /** base64 */
  secret: string;
  createdAt: string;
}

export async function ensureJwtSecret(opts: { store: Store; randomBytes: (n: number) => Uint8Array; now: string }): Promise<Uint8Array> {
  for (;;) {
    const existing = await opts.store.get(JWT_SECRET_KEY);
    if (existing) {
      const secret = Buffer.from((JSON.parse(existing.value) as SecretRecord).secret, "base64");
      if (secret.length < MIN_JWT_SECRET_BYTES) throw new Error(`the stored JWT signing secret (${JWT_SECRET_KEY}) is shorter than ${MIN_JWT_SECRET_BYTES} bytes`);
      return new Uint8Array(secret);
    }
    const record: SecretRecord = { secret: Buffer.from(opts.randomBytes(MIN_JWT_SECRET_BYTES)).toString("base64"), createdAt: opts.now };
    try {
      await opts.store.create(JWT_SECRET_KEY, JSON.stringify(record));
    } catch (err) {
      // Another server sharing the store made it first; read theirs.
      if (!isStoreError(err, "KeyExists")) throw err;
    }
  }
}
