// Credentials are bound to the user they were issued for, not to a name, and a session token is spent by
// its refresh: through the real server (and two servers sharing one store).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { internalKey } from "../store/keys.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/store.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { API_KEY_SECRETS_AREA, REVOKED_TOKENS_AREA } from "./identity-records.js";
import { as, createApiKey, createUser, json, keyFor, sessionFor } from "./testing/identity-fixtures.js";

const HOUR = 3_600_000;
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));

/** Holds creates of denylist entries until `arm(n)`'s n-th arrives, so n concurrent refreshes all pass authentication first. */
class DenylistGate {
  private want = 0;
  private held: (() => void)[] = [];

  arm(n: number): void {
    this.want = n;
  }

  async pass(key: string): Promise<void> {
    if (this.want === 0 || !key.startsWith(internalKey(REVOKED_TOKENS_AREA, ""))) return;
    const arrived = new Promise<void>((resolve) => this.held.push(resolve));
    if (this.held.length >= this.want) {
      this.want = 0;
      for (const release of this.held.splice(0)) release();
    }
    await arrived;
  }

  wrap(store: Store): Store {
    return new Proxy(store, {
      get: (target, prop) => {
        if (prop === "create") return async (key: string, value: string) => (await this.pass(key), target.create(key, value));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

const gate = new DenylistGate();
const dir = mkdtempSync(join(tmpdir(), "claw-binding-"));
let env: EnvTest;
let other: EnvTest;
beforeAll(async () => {
  const store = gate.wrap(await openSqliteStore({ path: join(dir, "store.db") }));
  env = await startEnvTest({ clock, store });
  other = await startEnvTest({ clock, sharedStore: store });
});
afterAll(async () => {
  await other?.stop();
  await env?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const USERS = `${SECURITY_API}/users`;
const ROLES = `${SECURITY_API}/roles`;
const status = async (credential: string, server = env) => (await as(server, credential).request(ROLES)).status;

/** Deletes a user and creates another of the same name, a second later. */
async function recreate(name: string, roles: string[]): Promise<void> {
  expect((await env.request(`${USERS}/${name}`, { method: "DELETE" })).status).toBe(200);
  clock.step(1000);
  await createUser(env, name, roles);
}

/** Rewrites a key's secret record as a server before owner uids were recorded wrote it. */
async function makeLegacy(keyId: string): Promise<void> {
  const key = internalKey(API_KEY_SECRETS_AREA, keyId);
  const kv = (await env.store.get(key))!;
  const { ownerUid: _dropped, ...legacy } = JSON.parse(kv.value) as Record<string, unknown>;
  await env.store.update(key, JSON.stringify(legacy), kv.modRevision);
}

describe("API keys are bound to their owner's uid", () => {
  it("keeps a key working for the user it was minted for, across the owner's updates", async () => {
    const key = await keyFor(env, { user: "kept", roles: ["viewer"] });
    await env.request(`${USERS}/kept`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: '{"spec":{"email":"kept@example.com"}}' });
    expect(await status(key.secret)).toBe(200);
    expect(await status(key.secret, other)).toBe(200);
  });

  it("refuses the key of a deleted user once a user of the same name exists again", async () => {
    const key = await keyFor(env, { user: "bob", roles: ["viewer"] });
    expect(await status(key.secret)).toBe(200);
    await recreate("bob", ["admin"]);
    const r = await as(env, key.secret).request(ROLES);
    expect(r.status).toBe(401);
    expect((await json(r)).message).toMatch(/^Unauthorized: API key ak_\w+ was minted for an earlier user "bob"/);
    expect(await status(key.secret, other)).toBe(401);
  });

  it("accepts a key minted before owner uids were recorded for an owner as old as the key, and refuses it once the owner is recreated", async () => {
    const key = await keyFor(env, { user: "legacy", roles: ["viewer"] });
    await makeLegacy(key.keyId);
    expect(await status(key.secret)).toBe(200);
    await recreate("legacy", ["admin"]);
    expect(await status(key.secret)).toBe(401);
  });

  it("refuses a legacy key whose owner was created after the key", async () => {
    await createApiKey(env, "early-key", "late-owner", ["*:*"]);
    clock.step(1000);
    await createUser(env, "late-owner", ["viewer"]);
    const minted = await json(await env.request(authPaths.apiKeySecret("early-key"), { method: "POST" }));
    await makeLegacy(minted.keyId as string);
    expect(await status(minted.secret as string)).toBe(401);
  });

  it("refuses to mint the secret of a key whose owner does not exist, with 409", async () => {
    await createApiKey(env, "orphan-key", "nobody-yet", ["*:*"]);
    const r = await env.request(authPaths.apiKeySecret("orphan-key"), { method: "POST" });
    expect(r.status).toBe(409);
    expect((await json(r)).message).toContain('its owner, user "nobody-yet", does not exist; create the user first');
  });
});

describe("refresh spends the token it refreshes", () => {
  const refresh = (token: string, server: EnvTest) => as(server, token).request(authPaths.refresh, { method: "POST", json: {} });

  it.each([
    ["on one server", () => [env, env, env]],
    ["on two servers sharing the store", () => [env, other, other]],
  ])("lets exactly one of several concurrent refreshes of a token succeed %s", async (name, servers) => {
    const session = await sessionFor(env, { user: `refresher-${name.length}`, roles: ["viewer"] });
    clock.step(23 * HOUR);
    gate.arm(servers().length);
    const results = await Promise.all(servers().map((server) => refresh(session.token, server)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const lost of results.filter((r) => r.status !== 200)) {
      expect([401, 409]).toContain(lost.status);
      expect((await json(lost)).message).toMatch(/already refreshed or logged out|was logged out/);
    }
    const winner = await json(results.find((r) => r.status === 200)!);
    expect(await status(session.token)).toBe(401);
    expect(await status(session.token, other)).toBe(401);
    expect(await status(winner.token as string)).toBe(200);
  });
});
