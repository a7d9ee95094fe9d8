import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Keyring } from "../secrets/keyring.js";
import { keyringSealer } from "../secrets/keyring-sealer.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";
import { ensureJwtSecret, JWT_SECRET_KEY } from "./jwt-secret.js";

const OLD = new Keyring([new Uint8Array(32).fill(1)]);
const NEW = new Keyring([new Uint8Array(32).fill(2), new Uint8Array(32).fill(1)]);
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const now = "2026-01-01T00:00:00Z";
let store: SqliteStore;
beforeEach(() => {
  store = openSqliteStore({ path: ":memory:" });
});
afterEach(async () => store.close());

const stored = async () => JSON.parse((await store.get(JWT_SECRET_KEY))!.value) as { secret?: string; sealed?: { keyId: string } };

describe("the generated JWT signing secret", () => {
  it("is sealed under the master key when it is made, and opens again on the next start", async () => {
    const made = await ensureJwtSecret({ store, randomBytes: random, now, sealer: keyringSealer(OLD, random) });
    const record = await stored();
    expect(record.secret).toBeUndefined();
    expect(record.sealed?.keyId).toBe(OLD.primaryId);
    expect(await ensureJwtSecret({ store, randomBytes: random, now, sealer: keyringSealer(OLD, random) })).toEqual(made);
  });

  it("seals a record an older server wrote in plain text, keeping the secret", async () => {
    const plain = await ensureJwtSecret({ store, randomBytes: random, now });
    expect((await stored()).secret).toBeDefined();
    expect(await ensureJwtSecret({ store, randomBytes: random, now, sealer: keyringSealer(OLD, random) })).toEqual(plain);
    expect(await stored()).toMatchObject({ sealed: { keyId: OLD.primaryId } });
    expect((await stored()).secret).toBeUndefined();
  });

  it("re-seals under a new master key while the old one is still in the keyring", async () => {
    const made = await ensureJwtSecret({ store, randomBytes: random, now, sealer: keyringSealer(OLD, random) });
    expect(await ensureJwtSecret({ store, randomBytes: random, now, sealer: keyringSealer(NEW, random) })).toEqual(made);
    expect((await stored()).sealed?.keyId).toBe(NEW.primaryId);
  });

  it("refuses to start with a master key that did not seal it, saying so", async () => {
    await ensureJwtSecret({ store, randomBytes: random, now, sealer: keyringSealer(OLD, random) });
    const stranger = new Keyring([new Uint8Array(32).fill(3)]);
    await expect(ensureJwtSecret({ store, randomBytes: random, now, sealer: keyringSealer(stranger, random) })).rejects.toThrow(/cannot be opened with this server's master key/);
  });
});
