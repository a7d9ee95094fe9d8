// Passwords and JWT sessions through the real server: login, refresh inside the window and never past
// the session's limit, logout shared through the store, whoami.

import { AuditReader } from "../audit/audit-reader.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { as, createUser, json, keyFor, login, sessionFor, setPasswordAsAdmin } from "./testing/identity-fixtures.js";

const HOUR = 3_600_000;
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest({ clock, auth: { jwt: { defaultExpiryHours: 24, maxExpiryHours: 48, refreshWindowHours: 2 } } });
});
afterAll(async () => env?.stop());

const ROLES = `${SECURITY_API}/roles`;
const PASSWORD = "correct horse battery staple";
const post = (credential: string | undefined, path: string, body?: unknown) => as(env, credential).request(path, { method: "POST", ...(body !== undefined ? { json: body } : {}) });

describe("login", () => {
  beforeAll(async () => {
    await createUser(env, "alice", ["viewer"]);
    await setPasswordAsAdmin(env, "alice", PASSWORD);
  });

  it("returns a session token, its expiry and the session's limit", async () => {
    const session = await login(env, "alice", PASSWORD);
    expect(session).toMatchObject({ username: "alice", expiresAt: "2026-03-02T08:00:00Z", maxExpiresAt: "2026-03-03T08:00:00Z" });
    expect(session.token).toMatch(/^eyJ/);
    expect((await as(env, session.token).request(ROLES)).status).toBe(200);
  });

  it("caps the requested expiry at max_expiry_hours", async () => {
    expect((await login(env, "alice", PASSWORD, 1000)).expiresAt).toBe("2026-03-03T08:00:00Z");
  });

  it.each([
    ["a wrong password", "alice", "wrong password!"],
    ["an unknown user", "mallory", PASSWORD],
  ])("answers %s with the same 401", async (_name, username, password) => {
    const r = await post(undefined, authPaths.login, { username, password });
    expect(r.status).toBe(401);
    expect((await json(r)).message).toBe("Unauthorized: the username or password is not correct");
  });

  it("answers the same 401 for a user without a password and for a disabled user", async () => {
    await createUser(env, "nopass", ["viewer"]);
    await createUser(env, "off", ["viewer"], { disabled: true });
    await setPasswordAsAdmin(env, "off", PASSWORD);
    for (const username of ["nopass", "off"]) expect((await post(undefined, authPaths.login, { username, password: PASSWORD })).status).toBe(401);
  });

  it("refuses a request without username or password with 400", async () => {
    expect((await post(undefined, authPaths.login, { username: "alice" })).status).toBe(400);
    expect((await post(undefined, authPaths.login, { username: "alice", password: PASSWORD, expiryHours: -1 })).status).toBe(400);
  });
});

describe("refresh", () => {
  it("refuses outside the refresh window, naming when it opens", async () => {
    const session = await sessionFor(env, { user: "early", roles: ["viewer"] });
    const r = await post(session.token, authPaths.refresh, {});
    expect(r.status).toBe(400);
    expect((await json(r)).message).toBe("the token can be refreshed only in the last 2 h before it expires, from 2026-03-02T06:00:00Z; it expires at 2026-03-02T08:00:00Z");
  });

  it("issues a new token inside the window and stops the old one", async () => {
    const session = await sessionFor(env, { user: "refresher", roles: ["viewer"] });
    clock.step(23 * HOUR);
    const r = await post(session.token, authPaths.refresh, {});
    expect(r.status).toBe(200);
    const next = await json(r);
    expect(next).toMatchObject({ username: "refresher", maxExpiresAt: session.maxExpiresAt });
    expect(Date.parse(next.expiresAt)).toBeGreaterThan(Date.parse(session.expiresAt));
    expect((await as(env, session.token).request(ROLES)).status).toBe(401);
    expect((await as(env, next.token).request(ROLES)).status).toBe(200);
    const refreshed = await new AuditReader(env.audit!.log.batches).query({ types: ["auth.token.refreshed"], limit: 100 });
    expect(refreshed.items.find((e) => e.actor === "refresher")).toMatchObject({ outcome: "success", resource: { kind: "User", name: "refresher" } });
    expect(JSON.stringify(refreshed.items)).not.toContain(session.token);
  });

  it("never reaches past the session's limit", async () => {
    const session = await sessionFor(env, { user: "long-lived", roles: ["viewer"] });
    clock.step(23 * HOUR);
    const first = await json(await post(session.token, authPaths.refresh, {}));
    clock.step(23 * HOUR);
    const second = await json(await post(first.token, authPaths.refresh, {}));
    expect(second.expiresAt).toBe(session.maxExpiresAt);
    clock.step(HOUR);
    const r = await post(second.token, authPaths.refresh, {});
    expect(r.status).toBe(400);
    expect((await json(r)).message).toContain("the session reached its maximum lifetime");
  });

  it("refuses an API key with 400", async () => {
    const key = await keyFor(env, { user: "keyed", roles: ["viewer"] });
    expect((await post(key.secret, authPaths.refresh, {})).status).toBe(400);
  });
});

describe("refresh turned off", () => {
  it("answers 403 and says how to turn it on", async () => {
    const off = await startEnvTest({ clock, auth: { jwt: { allowRefresh: false } } });
    try {
      await createUser(off, "bob", ["viewer"]);
      await setPasswordAsAdmin(off, "bob", PASSWORD);
      const session = await login(off, "bob", PASSWORD);
      const r = await as(off, session.token).request(authPaths.refresh, { method: "POST", json: {} });
      expect(r.status).toBe(403);
      expect((await json(r)).message).toContain("allow_refresh = false");
    } finally {
      await off.stop();
    }
  });
});

describe("logout", () => {
  it("stops the token on this server and on another sharing the store", async () => {
    const session = await sessionFor(env, { user: "leaver", roles: ["viewer"] });
    expect((await post(session.token, authPaths.logout)).status).toBe(200);
    expect((await as(env, session.token).request(ROLES)).status).toBe(401);
    const denied = await env.store.list("/claw/revoked-tokens/");
    expect(denied.items.some((kv) => kv.value.includes('"username":"leaver"'))).toBe(true);
  });

  it("sweeps denylist entries once their tokens have expired", async () => {
    const session = await sessionFor(env, { user: "swept", roles: ["viewer"] });
    await post(session.token, authPaths.logout);
    const before = (await env.store.list("/claw/revoked-tokens/")).items.length;
    clock.step(49 * HOUR);
    expect(await env.identity.denylist.sweep()).toBeGreaterThan(0);
    expect((await env.store.list("/claw/revoked-tokens/")).items.length).toBeLessThan(before);
  });
});

describe("whoami", () => {
  it("describes a session", async () => {
    const session = await sessionFor(env, { user: "who", roles: ["operator"] });
    const me = await json(await as(env, session.token).request(authPaths.whoami));
    expect(me).toEqual({ username: "who", method: "jwt", roles: ["operator"], permissions: ["nodes:read,list", "workloads:*"], expiresAt: session.expiresAt });
  });

  it("describes an API key: its id and the roles intersected with its scopes", async () => {
    const key = await keyFor(env, { user: "who-key", roles: ["operator"], scopes: ["workloads:read", "secrets:*"] });
    const me = await json(await as(env, key.secret).request(authPaths.whoami));
    expect(me).toEqual({ username: "who-key", method: "apikey", keyId: key.keyId, roles: ["operator"], permissions: ["workloads:read"] });
  });

  it("describes the bootstrap admin", async () => {
    expect(await json(await env.request(authPaths.whoami))).toMatchObject({ username: "admin", method: "apikey", roles: ["admin"], permissions: ["*:*"] });
  });
});

describe("passwords", () => {
  it("lets a user change their own password with the current one", async () => {
    const session = await sessionFor(env, { user: "changer", roles: [] });
    const r = await post(session.token, authPaths.userPassword("changer"), { currentPassword: PASSWORD, password: "a new long password" });
    expect(r.status).toBe(200);
    expect((await post(undefined, authPaths.login, { username: "changer", password: PASSWORD })).status).toBe(401);
    expect((await login(env, "changer", "a new long password")).username).toBe("changer");
  });

  it("refuses a wrong current password with 403", async () => {
    const session = await sessionFor(env, { user: "forgetful", roles: [] });
    expect((await post(session.token, authPaths.userPassword("forgetful"), { currentPassword: "not it at all", password: "whatever works" })).status).toBe(403);
  });

  it("refuses a short password with 422 on the field", async () => {
    const r = await env.request(authPaths.userPassword("alice"), { method: "POST", json: { password: "short" } });
    expect(r.status).toBe(422);
    expect((await json(r)).details.causes).toEqual([expect.objectContaining({ field: "password", message: "Invalid value: the password must be at least 8 characters long" })]);
  });

  it("answers 404 for a user that does not exist", async () => {
    expect((await env.request(authPaths.userPassword("ghost"), { method: "POST", json: { password: "long enough password" } })).status).toBe(404);
  });

  it("keeps the password out of the User object and a deleted user's password from a new one of the same name", async () => {
    await createUser(env, "reborn", ["viewer"]);
    await setPasswordAsAdmin(env, "reborn", PASSWORD);
    const user = await (await env.request(`${SECURITY_API}/users/reborn`)).text();
    expect(user).not.toMatch(/password|scrypt/i);
    await env.request(`${SECURITY_API}/users/reborn`, { method: "DELETE" });
    await createUser(env, "reborn", ["viewer"]);
    expect((await post(undefined, authPaths.login, { username: "reborn", password: PASSWORD })).status).toBe(401);
  });
});
