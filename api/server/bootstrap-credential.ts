// The first start's admin credential: created once per store (so several servers on one etcd share
// it), stored only as a SHA-256 hash, checked in constant time. The identity issue replaces it with
// a real admin ApiKey.

import { createHash, timingSafeEqual } from "node:crypto";
import { unauthorized } from "../machinery/errors.js";
import { internalKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import type { Authenticator } from "./authentication.js";

export const BOOTSTRAP_KEY = internalKey("bootstrap", "admin-credential");
export const BOOTSTRAP_USER = "system:bootstrap-admin";

interface BootstrapRecord {
  keyId: string;
  sha256: string;
  createdAt: string;
}

export type BootstrapResult = { created: true; keyId: string; secret: string } | { created: false; keyId: string };

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Base62 text from random bytes (rejection sampling keeps it unbiased). */
export function base62(randomBytes: (n: number) => Uint8Array, length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export async function ensureBootstrapCredential(opts: { store: Store; randomBytes: (n: number) => Uint8Array; now: string }): Promise<BootstrapResult> {
  const existing = await opts.store.get(BOOTSTRAP_KEY);
  if (existing) return { created: false, keyId: (JSON.parse(existing.value) as BootstrapRecord).keyId };
  const keyId = `ak_${base62(opts.randomBytes, 20)}`;
  const secret = `clk_${base62(opts.randomBytes, 40)}`;
  const record: BootstrapRecord = { keyId, sha256: sha256(secret), createdAt: opts.now };
  try {
    await opts.store.create(BOOTSTRAP_KEY, JSON.stringify(record));
    return { created: true, keyId, secret };
  } catch (err) {
    // Another server sharing this store bootstrapped first; its credential stands.
    if (isStoreError(err, "KeyExists")) return ensureBootstrapCredential(opts);
    throw err;
  }
}

export function bootstrapAuthenticator(store: Store): Authenticator {
  let cached: BootstrapRecord | undefined;
  return {
    name: "bootstrap",
    async authenticate(credential) {
      if (!credential.secret.startsWith("clk_")) return undefined;
      cached ??= await store.get(BOOTSTRAP_KEY).then((kv) => (kv ? (JSON.parse(kv.value) as BootstrapRecord) : undefined));
      if (!cached) return undefined;
      const presented = Buffer.from(sha256(credential.secret), "hex");
      const expected = Buffer.from(cached.sha256, "hex");
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) return { name: BOOTSTRAP_USER, groups: ["system:masters"] };
      throw unauthorized("Unauthorized: the API key presented is not valid");
    },
  };
}
