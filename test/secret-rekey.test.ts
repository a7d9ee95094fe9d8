// Master key rotation: a server started with the new key first and the old one after it re-seals every
// value and kept version under the new key; a server with only the new key then opens everything.

import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { Keyring } from "../api/secrets/keyring.js";
import { readVersions } from "../api/secrets/version-history.js";
import { resourceKey } from "../api/store/keys.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import { SECURITY_API } from "../api/types/auth-api.js";
import { secretsPaths } from "../api/types/secrets-api.js";
import { startEnvTest } from "./envtest.js";

const OLD = new Uint8Array(32).fill(1);
const NEW = new Uint8Array(32).fill(2);
const dir = mkdtempSync(join(tmpdir(), "claw-rekey-"));
const store = openSqliteStore({ path: join(dir, "store.db") });
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, token: string, path: string, body?: unknown) =>
  fetch(url + path, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
const sealedKeyIds = async (name: string) => {
  const object = JSON.parse((await store.get(resourceKey("security.clawbernetes.com", "secrets", name)))!.value) as { metadata: { uid: string }; spec: { sealed: { keyId: string } } };
  return [object.spec.sealed.keyId, ...(await readVersions(store, object.metadata.uid)).map((v) => v.keyId)];
};

describe("rekeying", () => {
  it("re-seals every value and version under the new key, idempotently, so the old key can be retired", async () => {
    const first = await startEnvTest({ sharedStore: store, keyring: new Keyring([OLD]) });
    const token = first.token;
    for (const name of ["alpha", "beta"])
      await first.request(`${SECURITY_API}/secrets`, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name }, spec: { valueFrom: { value: `${name}-1` } } } });
    await post(first.url, token, secretsPaths.rotate("alpha"), { value: "alpha-2" });
    await first.stop();
    const oldId = new Keyring([OLD]).primaryId;
    const newId = new Keyring([NEW]).primaryId;
    expect(new Set(await sealedKeyIds("alpha"))).toEqual(new Set([oldId]));

    await expect(startEnvTest({ sharedStore: store, keyring: new Keyring([NEW]) })).rejects.toThrow(/cannot open the stored secrets/);

    const rotating = await startEnvTest({ sharedStore: store, keyring: new Keyring([NEW, OLD]) });
    for (const name of ["alpha", "beta"]) {
      const r = await post(rotating.url, token, secretsPaths.rekey(name));
      expect(await r.json()).toMatchObject({ name, keyId: newId });
    }
    expect(await (await post(rotating.url, token, secretsPaths.rekey("alpha"))).json()).toMatchObject({ resealed: 0 });
    await rotating.stop();
    expect(new Set([...(await sealedKeyIds("alpha")), ...(await sealedKeyIds("beta"))])).toEqual(new Set([newId]));

    const retired = await startEnvTest({ sharedStore: store, keyring: new Keyring([NEW]) });
    try {
      const revealed = (await (await post(retired.url, token, secretsPaths.reveal("alpha"))).json()) as { value: string; version: number };
      expect(revealed).toMatchObject({ value: "alpha-2", version: 2 });
    } finally {
      await retired.stop();
    }
  });
});

describe("rekeying after a rotation under the new key", () => {
  it("still re-seals the kept versions under the old key, and a server without the old key refuses to start until it has", async () => {
    const dir2 = mkdtempSync(join(tmpdir(), "claw-rekey-2-"));
    const store2 = openSqliteStore({ path: join(dir2, "store.db") });
    try {
      const first = await startEnvTest({ sharedStore: store2, keyring: new Keyring([OLD]) });
      const token = first.token;
      await first.request(`${SECURITY_API}/secrets`, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name: "gamma" }, spec: { valueFrom: { value: "gamma-1" } } } });
      await first.stop();
      const rotating = await startEnvTest({ sharedStore: store2, keyring: new Keyring([NEW, OLD]) });
      await post(rotating.url, token, secretsPaths.rotate("gamma"), { value: "gamma-2" });
      await rotating.stop();
      // Version 2 is under NEW already; version 1 is not: a server with only NEW must not start yet.
      await expect(startEnvTest({ sharedStore: store2, keyring: new Keyring([NEW]) })).rejects.toThrow(/cannot open the stored secrets/);
      const again = await startEnvTest({ sharedStore: store2, keyring: new Keyring([NEW, OLD]) });
      expect(await (await post(again.url, token, secretsPaths.rekey("gamma"))).json()).toMatchObject({ keyId: new Keyring([NEW]).primaryId, resealed: 1 });
      await again.stop();
      const retired = await startEnvTest({ sharedStore: store2, keyring: new Keyring([NEW]) });
      await retired.stop();
    } finally {
      await store2.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});
