// The adversarial suite, through the real server: every forged, stale or stolen credential is refused with
// 401, and every attempt to do or grant more than one holds with 403 (or 422 for a malformed grant).

import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { JWT_SECRET_KEY } from "./jwt-secret.js";
import { keyringSealer } from "../secrets/keyring-sealer.js";
import type { SealedBlob } from "../server/module.js";
import { as, createApiKey, createRole, createUser, json, keyFor, login, mint, sessionFor, setPasswordAsAdmin, type Body } from "./testing/identity-fixtures.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let secret: Uint8Array;
beforeAll(async () => {
  env = await startEnvTest({ clock });
  // The stored secret is sealed under the master key; the attacker of these tests is granted it.
  const record = JSON.parse((await env.store.get(JWT_SECRET_KEY))!.value) as { sealed: SealedBlob };
  secret = keyringSealer(env.keyring, (n) => new Uint8Array(n)).open("jwt-signing-secret", record.sealed);
});
afterAll(async () => env?.stop());

const ROLES = `${SECURITY_API}/roles`;
const USERS = `${SECURITY_API}/users`;
const APIKEYS = `${SECURITY_API}/apikeys`;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSec = () => Math.floor(clock.now() / 1000);

async function expectRefused(r: Response, code: number, message?: string | RegExp): Promise<Body> {
  const body = await json(r);
  expect({ status: r.status, kind: body.kind }).toEqual({ status: code, kind: "Status" });
  expect(body.reason).toBe(code === 401 ? "Unauthorized" : code === 403 ? "Forbidden" : code === 422 ? "Invalid" : body.reason);
  if (message) expect(body.message).toMatch(message);
  return body;
}

/** A token signed with the server's own secret, with claims a test chooses. */
async function forge(claims: Record<string, unknown>, opts: { alg?: string; key?: Uint8Array } = {}): Promise<string> {
  const user = await json(await env.request(`${USERS}/alice`));
  const base = { iss: "clawbernetes", sub: "alice", jti: `forged-${Math.random()}`, iat: nowSec(), exp: nowSec() + 3600, max_exp: nowSec() + 3600, uid: user.metadata.uid as string };
  return new SignJWT({ ...base, ...claims }).setProtectedHeader({ alg: opts.alg ?? "HS256", typ: "JWT" }).sign(opts.key ?? secret);
}

describe("credentials refused with 401", () => {
  let alice: Awaited<ReturnType<typeof sessionFor>>;
  beforeAll(async () => {
    alice = await sessionFor(env, { user: "alice", roles: ["viewer"] });
  });

  it("refuses a request with no credential", async () => {
    await expectRefused(await fetch(env.url + ROLES), 401, /present an API key/);
  });

  it.each([
    ["a key id that does not exist", `clk_${"A".repeat(52)}`],
    ["a malformed key", "clk_wrong"],
    ["an unknown kind of token", "garbage-token"],
  ])("refuses %s", async (_name, credential) => {
    await expectRefused(await as(env, credential).request(ROLES), 401);
  });

  it("refuses a real key id with the wrong secret, with the same message as an unknown one", async () => {
    const key = await keyFor(env, { user: "wrong-secret", roles: ["viewer"] });
    const wrong = key.secret.slice(0, 24) + "x".repeat(32);
    await expectRefused(await as(env, wrong).request(ROLES), 401, "Unauthorized: the API key presented is not valid");
  });

  it("refuses a revoked key", async () => {
    const key = await keyFor(env, { user: "revoked", roles: ["viewer"] });
    await env.request(`${APIKEYS}/${key.name}`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: '{"spec":{"revoked":true}}' });
    await expectRefused(await as(env, key.secret).request(ROLES), 401, /was revoked/);
  });

  it("refuses an expired key", async () => {
    const key = await keyFor(env, { user: "expired", roles: ["viewer"], extra: { duration: "30m" } });
    clock.step(30 * 60_000);
    await expectRefused(await as(env, key.secret).request(ROLES), 401, /expired at/);
  });

  it("refuses a key rotated away", async () => {
    const key = await keyFor(env, { user: "rotated", roles: ["viewer"] });
    await env.request(authPaths.apiKeyRotate(key.name), { method: "POST" });
    await expectRefused(await as(env, key.secret).request(ROLES), 401);
  });

  it("refuses a JWT with alg none", async () => {
    const payload = { sub: "admin", iss: "clawbernetes", jti: "x", iat: nowSec(), exp: nowSec() + 3600, max_exp: nowSec() + 3600, uid: "x" };
    await expectRefused(await as(env, `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`).request(ROLES), 401);
  });

  it("refuses HS/RS algorithm confusion: an RS256 token, and HS256 keyed with an RSA public key", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    await expectRefused(await as(env, await forge({}, { alg: "RS256", key: privateKey as unknown as Uint8Array })).request(ROLES), 401, /HS256/);
    const { exportSPKI } = await import("jose");
    const pem = new TextEncoder().encode(await exportSPKI(publicKey));
    await expectRefused(await as(env, await forge({}, { key: pem })).request(ROLES), 401);
  });

  it("refuses HS512 even with the server's own secret", async () => {
    await expectRefused(await as(env, await forge({}, { alg: "HS512" })).request(ROLES), 401, /HS256/);
  });

  it("refuses a tampered payload", async () => {
    const [header, payload, signature] = alice.token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const tampered = `${header}.${b64url({ ...claims, sub: "admin" })}.${signature}`;
    await expectRefused(await as(env, tampered).request(ROLES), 401, "Unauthorized: the session token presented is not valid");
  });

  it("refuses a token from another issuer and one not valid yet", async () => {
    await expectRefused(await as(env, await forge({ iss: "someone-else" })).request(ROLES), 401, /another issuer/);
    await expectRefused(await as(env, await forge({ nbf: nowSec() + 600 })).request(ROLES), 401, /not valid yet/);
  });

  it("refuses an expired token at its expiry instant", async () => {
    const session = await sessionFor(env, { user: "short-session", roles: ["viewer"] });
    clock.step(24 * 3_600_000);
    await expectRefused(await as(env, session.token).request(ROLES), 401, /expired/);
  });

  it("refuses a token after logout", async () => {
    const session = await sessionFor(env, { user: "logged-out", roles: ["viewer"] });
    await as(env, session.token).request(authPaths.logout, { method: "POST" });
    await expectRefused(await as(env, session.token).request(ROLES), 401, /logged out/);
  });

  it("refuses the tokens and keys of a user at once when disabled, and again when deleted", async () => {
    const session = await sessionFor(env, { user: "disabled", roles: ["viewer"] });
    const key = await keyFor(env, { user: "disabled" });
    await env.request(`${USERS}/disabled`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: '{"spec":{"disabled":true}}' });
    await expectRefused(await as(env, session.token).request(ROLES), 401, /is disabled/);
    await expectRefused(await as(env, key.secret).request(ROLES), 401, /is disabled/);
    await env.request(`${USERS}/disabled`, { method: "DELETE" });
    await createUser(env, "disabled", ["admin"]);
    await expectRefused(await as(env, session.token).request(ROLES), 401, /no longer exists/);
  });
});

describe("requests refused with 403", () => {
  let op: string;
  let narrow: string;
  beforeAll(async () => {
    op = (await keyFor(env, { user: "op", roles: ["operator"] })).secret;
    narrow = (await keyFor(env, { user: "wide-owner", roles: ["admin"], scopes: ["roles:read,list"] })).secret;
  });

  it("names the missing permission", async () => {
    await expectRefused(await as(env, op).request(`${ROLES}/viewer`, { method: "DELETE" }), 403, 'user "op" cannot delete roles "viewer": needs roles:delete (none of the roles operator grants it)');
  });

  it("refuses what a key's scope leaves out though its owner's role allows it", async () => {
    expect((await as(env, narrow).request(ROLES)).status).toBe(200);
    await expectRefused(await as(env, narrow).request(USERS), 403, /needs users:list \(the user's roles grant it, but API key ak_\w+ is limited to roles:read,list\)/);
  });

  it("keeps /metrics and other API groups for admins", async () => {
    await expectRefused(await as(env, op).request("/metrics"), 403, /needs \*:admin/);
    await expectRefused(await as(env, op).request("/apis/coordination.clawbernetes.com/v1/leases"), 403, /needs \*:admin/);
    expect((await env.request("/metrics")).status).toBe(200);
  });

  it("serves discovery to any authenticated user", async () => {
    expect((await as(env, op).request("/apis")).status).toBe(200);
    expect((await as(env, op).request("/openapi/v2")).status).toBe(200);
  });
});

describe("escalation refused", () => {
  let editor: string;
  beforeAll(async () => {
    await createRole(env, "identity-editor", ["roles:*", "users:*", "apikeys:*", "nodes:read"]);
    await createRole(env, "node-reader", ["nodes:read"]);
    editor = (await keyFor(env, { user: "editor", roles: ["identity-editor"] })).secret;
  });
  const asEditor = (path: string, init: RequestInit & { json?: unknown } = {}) => as(env, editor).request(path, init);
  const merge = (path: string, patch: unknown, who = editor) =>
    as(env, who).request(path, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify(patch) });
  const role = (name: string, permissions: string[]) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { permissions } });

  it("refuses creating a role with a permission the creator does not hold, and allows one they hold", async () => {
    await expectRefused(await asEditor(ROLES, { method: "POST", json: role("sneaky", ["nodes:read", "secrets:read"]) }), 403, /^user "editor" cannot create role "sneaky": it grants secrets:read, which editor with API key ak_\w+ does not hold; only someone who holds a permission may grant it$/);
    expect((await asEditor(ROLES, { method: "POST", json: role("fine", ["nodes:read"]) })).status).toBe(201);
  });

  it("refuses widening a role and allows narrowing it", async () => {
    await createRole(env, "widen-me", ["nodes:read", "secrets:read"]);
    await expectRefused(await merge(`${ROLES}/widen-me`, { spec: { permissions: ["nodes:read", "secrets:read", "secrets:delete"] } }), 403, /cannot widen role "widen-me": it grants secrets:delete/);
    expect((await merge(`${ROLES}/widen-me`, { spec: { permissions: ["nodes:read"] } })).status).toBe(200);
  });

  it("refuses server-side apply creating a role with only update permission", async () => {
    await createRole(env, "role-updater", ["roles:read,update"]);
    const updater = (await keyFor(env, { user: "updater", roles: ["role-updater"] })).secret;
    const r = await as(env, updater).request(`${ROLES}/applied?fieldManager=test`, {
      method: "PATCH",
      headers: { "Content-Type": "application/apply-patch+yaml" },
      body: JSON.stringify(role("applied", ["roles:read"])),
    });
    await expectRefused(r, 403, /cannot create roles "applied": needs roles:create/);
  });

  it("refuses assigning a role that grants more, on create and on update", async () => {
    const user = (name: string, roles: string[]) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name }, spec: { roles } });
    await expectRefused(await asEditor(USERS, { method: "POST", json: user("minion", ["admin"]) }), 403, /cannot assign role "admin" to user "minion"/);
    expect((await asEditor(USERS, { method: "POST", json: user("minion", ["node-reader"]) })).status).toBe(201);
    await expectRefused(await merge(`${USERS}/minion`, { spec: { roles: ["node-reader", "operator"] } }), 403, /cannot assign role "operator"/);
    await expectRefused(await merge(`${USERS}/editor`, { spec: { roles: ["identity-editor", "admin"] } }), 403, /cannot assign role "admin" to user "editor"/);
  });

  it("refuses assigning a role that does not exist yet, unless one holds everything", async () => {
    await expectRefused(await merge(`${USERS}/minion`, { spec: { roles: ["node-reader", "future-admin"] } }), 403, /the role does not exist yet, and only someone who holds every permission \(\*:\*\) may assign a role before it exists/);
    expect((await merge(`${USERS}/minion`, { spec: { roles: ["node-reader", "future-admin"] } }, env.token)).status).toBe(200);
  });

  it("refuses an API key whose scopes exceed the creator's permissions, and widening one", async () => {
    const key = (name: string, scopes: string[]) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name }, spec: { displayName: name, owner: "editor", scopes } });
    await expectRefused(await asEditor(APIKEYS, { method: "POST", json: key("too-wide", ["*:*"]) }), 403, /cannot create API key "too-wide"/);
    expect((await asEditor(APIKEYS, { method: "POST", json: key("in-bounds", ["nodes:read"]) })).status).toBe(201);
    await expectRefused(await merge(`${APIKEYS}/in-bounds`, { spec: { scopes: ["nodes:read", "secrets:read"] } }), 403, /cannot widen API key "in-bounds"/);
  });

  it("refuses a narrow key minting the secret of its owner's wider key", async () => {
    const narrowKey = (await keyFor(env, { user: "editor", scopes: ["apikeys:*"] })).secret;
    await createApiKey(env, "editor-wide", "editor", ["*:*"]);
    await expectRefused(await as(env, narrowKey).request(authPaths.apiKeySecret("editor-wide"), { method: "POST" }), 403, /cannot mint API key "editor-wide"/);
    expect((await asEditor(authPaths.apiKeySecret("editor-wide"), { method: "POST" })).status).toBe(201);
  });

  it("refuses fetching or rotating the secret of another user's key", async () => {
    const op = (await keyFor(env, { user: "other-owner", roles: ["operator"] })).secret;
    await createApiKey(env, "admins-key", "admin", ["nodes:read"]);
    await expectRefused(await as(env, op).request(authPaths.apiKeySecret("admins-key"), { method: "POST" }), 403, /only its owner or a holder of apikeys:admin/);
    await expectRefused(await as(env, op).request(authPaths.apiKeyRotate("bootstrap-admin"), { method: "POST" }), 403, /only its owner or a holder of apikeys:admin/);
    // A missing key answers the same, so key names cannot be probed.
    await expectRefused(await as(env, op).request(authPaths.apiKeyRotate("no-such-key"), { method: "POST" }), 403, /only its owner or a holder of apikeys:admin/);
  });

  it("refuses setting the password of a user who holds more", async () => {
    await expectRefused(await asEditor(authPaths.userPassword("admin"), { method: "POST", json: { password: "take over the cluster" } }), 403, /cannot set the password of user "admin"/);
    await expectRefused(await asEditor(authPaths.userPassword("minion"), { method: "POST", json: { password: "a fine password" } }), 403, /its role "future-admin" does not exist yet/);
    await asEditor(USERS, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "helper" }, spec: { roles: ["node-reader"] } } });
    expect((await asEditor(authPaths.userPassword("helper"), { method: "POST", json: { password: "a fine password" } })).status).toBe(200);
  });

  it("refuses setting another user's password without users:update", async () => {
    const op = (await keyFor(env, { user: "pw-op", roles: ["operator"] })).secret;
    await expectRefused(await as(env, op).request(authPaths.userPassword("minion"), { method: "POST", json: { password: "a fine password" } }), 403, /needs users:update/);
  });

  it("refuses an access review as another user without users:admin", async () => {
    const op = (await keyFor(env, { user: "reviewer", roles: ["operator"] })).secret;
    const review = { apiVersion: "auth.clawbernetes.com/v1", kind: "AccessReview", spec: { resource: "secrets", action: "read", user: "admin" } };
    await expectRefused(await as(env, op).request(authPaths.accessReview, { method: "POST", json: review }), 403, /needs users:admin/);
  });

  it("refuses changing a key's owner and restoring a revoked key with 422 on the field", async () => {
    await createApiKey(env, "owned", "editor", ["nodes:read"]);
    const owner = await expectRefused(await merge(`${APIKEYS}/owned`, { spec: { owner: "admin" } }, env.token), 422);
    expect(owner.details.causes).toEqual([expect.objectContaining({ field: "spec.owner" })]);
    await merge(`${APIKEYS}/owned`, { spec: { revoked: true } }, env.token);
    const restore = await expectRefused(await merge(`${APIKEYS}/owned`, { spec: { revoked: false } }, env.token), 422);
    expect(restore.details.causes).toEqual([expect.objectContaining({ field: "spec.revoked" })]);
  });

  it("protects the default roles from deletion and change, even from an admin", async () => {
    await expectRefused(await env.request(`${ROLES}/admin`, { method: "DELETE" }), 403, 'role "admin" is a default role and cannot be deleted');
    await expectRefused(await merge(`${ROLES}/viewer`, { spec: { permissions: ["*:*"] } }, env.token), 403, /cannot be changed/);
    expect((await merge(`${ROLES}/viewer`, { metadata: { labels: { team: "all" } } }, env.token)).status).toBe(200);
  });

  it("refuses an invalid permission with 422 and its field path", async () => {
    const r = await env.request(ROLES, { method: "POST", json: role("bad", ["nodes:read", "nodes:fly"]) });
    const body = await expectRefused(r, 422);
    expect(body.details.causes).toEqual([expect.objectContaining({ field: "spec.permissions[1]" })]);
  });

  it("lets the password a holder set be used only by that user's own permissions", async () => {
    const session = await login(env, "helper", "a fine password");
    await expectRefused(await as(env, session.token).request(USERS), 403, /needs users:list/);
  });

  it("refuses assigning roles through a key narrower than its owner's roles", async () => {
    const narrowEditor = (await keyFor(env, { user: "editor", scopes: ["users:*"] })).secret;
    await expectRefused(await merge(`${USERS}/minion`, { spec: { roles: ["node-reader", "future-admin", "fine"] } }, narrowEditor), 403, /with API key ak_\w+ does not hold/);
  });

  it("refuses setting one's own password through a narrow key without the current password", async () => {
    await setPasswordAsAdmin(env, "editor", "the editor's password");
    const narrowEditor = (await keyFor(env, { user: "editor", scopes: ["users:*"] })).secret;
    await expectRefused(await as(env, narrowEditor).request(authPaths.userPassword("editor"), { method: "POST", json: { password: "a brand new one" } }), 403, /cannot set the password of user "editor"/);
    expect((await as(env, narrowEditor).request(authPaths.userPassword("editor"), { method: "POST", json: { password: "a brand new one", currentPassword: "the editor's password" } })).status).toBe(200);
  });

  it("refuses a second secret for the same key", async () => {
    await createApiKey(env, "twice", "admin", ["nodes:read"]);
    await mint(env, "twice");
    expect((await env.request(authPaths.apiKeySecret("twice"), { method: "POST" })).status).toBe(409);
  });
});
