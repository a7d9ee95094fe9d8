// API keys through the real server: minted once, rotated, revoked, expired, and what their status shows.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { as, createApiKey, json, keyFor, mint } from "./testing/identity-fixtures.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest({ clock });
});
afterAll(async () => env?.stop());

const ROLES = `${SECURITY_API}/roles`;
const mergePatch = (path: string, patch: unknown) =>
  env.request(path, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify(patch) });

describe("minting", () => {
  it("returns the key id, the secret once, and the key's name, scopes and expiry", async () => {
    await createApiKey(env, "ci-cd", "admin", ["workloads:*", "nodes:read"], { displayName: "CI/CD Pipeline", duration: "90d" });
    const minted = await mint(env, "ci-cd");
    expect(minted).toMatchObject({ name: "ci-cd", displayName: "CI/CD Pipeline", scopes: ["workloads:*", "nodes:read"], expiresAt: "2026-05-30T08:00:00Z" });
    expect(minted.keyId).toMatch(/^ak_[0-9A-Za-z]{20}$/);
    expect(minted.secret).toMatch(/^clk_[0-9A-Za-z]{52}$/);
    expect(minted.secret.slice(4, 24)).toBe(minted.keyId.slice(3));
  });

  it("refuses a second fetch with 409 AlreadyExists and says to rotate", async () => {
    await createApiKey(env, "once", "admin", ["nodes:read"]);
    await mint(env, "once");
    const r = await env.request(authPaths.apiKeySecret("once"), { method: "POST" });
    expect(r.status).toBe(409);
    expect(await json(r)).toMatchObject({ reason: "AlreadyExists", message: expect.stringContaining("rotate the key to get a new secret") });
  });

  it("records the key id and that the secret was fetched in status, and never the secret", async () => {
    await createApiKey(env, "status-check", "admin", ["nodes:read"]);
    const minted = await mint(env, "status-check");
    const key = await json(await env.request(`${SECURITY_API}/apikeys/status-check`));
    expect(key.status).toMatchObject({ keyId: minted.keyId, secretFetched: true, rotation: 0, lastRotatedAt: "2026-03-01T08:00:00Z" });
    expect(JSON.stringify(key)).not.toContain(minted.secret);
    const list = await (await env.request(`${SECURITY_API}/apikeys`)).text();
    expect(list).not.toContain(minted.secret.slice(24));
  });

  it("keeps only a hash in the store", async () => {
    const minted = await keyFor(env, { user: "hash-check", roles: ["viewer"] });
    const { items } = await env.store.list("/");
    expect(items.some((kv) => kv.value.includes(minted.secret) || kv.value.includes(minted.secret.slice(24)))).toBe(false);
  });

  it("accepts the secret in X-API-Key and as a bearer token", async () => {
    const minted = await keyFor(env, { user: "both-headers", roles: ["viewer"] });
    expect((await as(env, minted.secret, "x-api-key").request(ROLES)).status).toBe(200);
    expect((await as(env, minted.secret).request(ROLES)).status).toBe(200);
  });

  it.each([
    ["a revoked key", { revoked: true }, "the key is revoked"],
    ["an expired key", { expiresAt: "2026-02-01T00:00:00Z" }, "the key expired at 2026-02-01T00:00:00Z"],
  ])("refuses to mint %s with 409", async (_name, extra, message) => {
    const name = `unusable-${Object.keys(extra)[0]!.toLowerCase()}`;
    await createApiKey(env, name, "admin", ["nodes:read"], extra);
    const r = await env.request(authPaths.apiKeySecret(name), { method: "POST" });
    expect(r.status).toBe(409);
    expect((await json(r)).message).toContain(message);
  });

  it("answers 404 for a key that does not exist", async () => {
    expect((await env.request(authPaths.apiKeySecret("nope"), { method: "POST" })).status).toBe(404);
  });
});

describe("rotation", () => {
  it("issues a new secret, stops the old one at once and counts up", async () => {
    const first = await keyFor(env, { user: "rotator", roles: ["viewer"] });
    const r = await env.request(authPaths.apiKeyRotate(first.name), { method: "POST" });
    expect(r.status).toBe(200);
    const second = (await json(r)) as typeof first;
    expect(second.keyId).toBe(first.keyId);
    expect(second.secret).not.toBe(first.secret);
    expect((await as(env, first.secret).request(ROLES)).status).toBe(401);
    expect((await as(env, second.secret).request(ROLES)).status).toBe(200);
    const key = await json(await env.request(`${SECURITY_API}/apikeys/${first.name}`));
    expect(key.spec.rotation).toBe(1);
    expect(key.status).toMatchObject({ rotation: 1, secretFetched: true });
  });

  it("rotates declaratively: raising spec.rotation stops the old secret, and the owner fetches the new one once", async () => {
    const first = await keyFor(env, { user: "declarative", roles: ["viewer"] });
    expect((await mergePatch(`${SECURITY_API}/apikeys/${first.name}`, { spec: { rotation: 1 } })).status).toBe(200);
    const refused = await as(env, first.secret).request(ROLES);
    expect(refused.status).toBe(401);
    expect((await json(refused)).message).toContain("was rotated");
    const second = await mint(env, first.name);
    expect((await as(env, second.secret).request(ROLES)).status).toBe(200);
    expect((await env.request(authPaths.apiKeySecret(first.name), { method: "POST" })).status).toBe(409);
  });

  it("refuses to lower spec.rotation with 422", async () => {
    const minted = await keyFor(env, { user: "lowering", roles: ["viewer"] });
    await env.request(authPaths.apiKeyRotate(minted.name), { method: "POST" });
    const r = await mergePatch(`${SECURITY_API}/apikeys/${minted.name}`, { spec: { rotation: 0 } });
    expect(r.status).toBe(422);
    expect((await json(r)).details.causes).toEqual([expect.objectContaining({ field: "spec.rotation" })]);
  });
});

describe("revocation and expiry", () => {
  it("refuses a revoked key at once", async () => {
    const minted = await keyFor(env, { user: "revoked-owner", roles: ["viewer"] });
    await mergePatch(`${SECURITY_API}/apikeys/${minted.name}`, { spec: { revoked: true } });
    const r = await as(env, minted.secret).request(ROLES);
    expect(r.status).toBe(401);
    expect((await json(r)).message).toContain(`API key ${minted.keyId} was revoked`);
  });

  it("works until the expiry instant and not at it", async () => {
    const minted = await keyFor(env, { user: "expiring", roles: ["viewer"], extra: { duration: "1h" } });
    clock.step(3_600_000 - 1000);
    expect((await as(env, minted.secret).request(ROLES)).status).toBe(200);
    clock.step(1000);
    const r = await as(env, minted.secret).request(ROLES);
    expect(r.status).toBe(401);
    expect((await json(r)).message).toContain("expired at");
  });

  it("refuses a key whose object was deleted and made again under the same name", async () => {
    const minted = await keyFor(env, { user: "recreated", roles: ["viewer"] });
    await env.request(`${SECURITY_API}/apikeys/${minted.name}`, { method: "DELETE" });
    await createApiKey(env, minted.name, "recreated", ["*:*"]);
    expect((await as(env, minted.secret).request(ROLES)).status).toBe(401);
  });
});
