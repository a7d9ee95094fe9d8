// Bootstrap, [auth.rbac]'s default_role and require_role_assignment, access reviews of others, and what
// servers sharing one store agree on: the JWT secret, logouts, disabled users.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { BOOTSTRAP_MARKER } from "./bootstrap-admin.js";
import { DEFAULT_ROLES } from "./default-roles.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { as, createRole, createUser, json, keyFor, sessionFor, userObject } from "./testing/identity-fixtures.js";

const ROLES = `${SECURITY_API}/roles`;
const USERS = `${SECURITY_API}/users`;

describe("bootstrap", () => {
  let env: EnvTest;
  beforeAll(async () => {
    env = await startEnvTest();
  });
  afterAll(async () => env?.stop());

  it("creates the four default roles as the guide defines them", async () => {
    for (const role of DEFAULT_ROLES) {
      const live = await json(await env.request(`${ROLES}/${role.name}`));
      expect(live.spec).toEqual(role.spec);
    }
  });

  it("creates User admin and ApiKey bootstrap-admin, whose secret is the admin token", async () => {
    expect((await json(await env.request(`${USERS}/admin`))).spec).toMatchObject({ roles: ["admin"] });
    const key = await json(await env.request(`${SECURITY_API}/apikeys/bootstrap-admin`));
    expect(key.spec).toMatchObject({ owner: "admin", scopes: ["*:*"] });
    expect(env.token.slice(4, 24)).toBe(key.status.keyId.slice(3));
  });

  it("does not bring the bootstrap key back once bootstrap happened, but restores a missing default role", async () => {
    const other = await startEnvTest({ sharedStore: env.store });
    try {
      await env.store.delete("/registry/security.clawbernetes.com/roles/node");
      expect(await other.identity.bootstrap()).toMatchObject({ created: false });
      expect((await env.request(`${ROLES}/node`)).status).toBe(200);
      expect(await env.store.get(BOOTSTRAP_MARKER)).toBeDefined();
    } finally {
      await other.stop();
    }
  });
});

describe("servers sharing a store", () => {
  let first: EnvTest;
  let second: EnvTest;
  beforeAll(async () => {
    first = await startEnvTest();
    second = await startEnvTest({ sharedStore: first.store });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it("agree on the JWT secret: a token from one works on the other", async () => {
    const session = await sessionFor(first, { user: "roamer", roles: ["viewer"] });
    expect((await fetch(second.url + ROLES, { headers: { Authorization: `Bearer ${session.token}` } })).status).toBe(200);
  });

  it("share logouts", async () => {
    const session = await sessionFor(first, { user: "leaver", roles: ["viewer"] });
    await as(first, session.token).request(authPaths.logout, { method: "POST" });
    expect((await fetch(second.url + ROLES, { headers: { Authorization: `Bearer ${session.token}` } })).status).toBe(401);
  });

  it("refuse a user disabled through the other server", async () => {
    const key = await keyFor(first, { user: "switched-off", roles: ["viewer"] });
    expect((await fetch(second.url + ROLES, { headers: { Authorization: `Bearer ${key.secret}` } })).status).toBe(200);
    await first.request(`${USERS}/switched-off`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: '{"spec":{"disabled":true}}' });
    expect((await fetch(second.url + ROLES, { headers: { Authorization: `Bearer ${key.secret}` } })).status).toBe(401);
  });
});

describe("[auth.rbac]", () => {
  it("require_role_assignment = true keeps a new user without roles, able only to ask about themselves", async () => {
    const env = await startEnvTest({ auth: { rbac: { requireRoleAssignment: true, defaultRole: "viewer" } } });
    try {
      const key = await keyFor(env, { user: "newcomer", roles: [] });
      expect((await json(await env.request(`${USERS}/newcomer`))).spec.roles).toEqual([]);
      expect((await as(env, key.secret).request(ROLES)).status).toBe(403);
      expect(await json(await as(env, key.secret).request(authPaths.whoami))).toMatchObject({ username: "newcomer", roles: [], permissions: [] });
      const review = await json(await as(env, key.secret).request(authPaths.accessReview, { method: "POST", json: { spec: { resource: "roles", action: "list" } } }));
      expect(review.status).toEqual({ allowed: false, reason: "needs roles:list (the user has no roles)" });
    } finally {
      await env.stop();
    }
  });

  it("require_role_assignment = false writes default_role into a user created without roles", async () => {
    const env = await startEnvTest({ auth: { rbac: { requireRoleAssignment: false, defaultRole: "viewer" } } });
    try {
      const r = await env.request(USERS, { method: "POST", json: userObject("defaulted", []) });
      expect((await json(r)).spec.roles).toEqual(["viewer"]);
      const explicit = await env.request(USERS, { method: "POST", json: userObject("explicit", ["operator"]) });
      expect((await json(explicit)).spec.roles).toEqual(["operator"]);
      // Whoever creates the user must hold the default role's permissions too.
      await createRole(env, "user-maker", ["users:create"]);
      const maker = (await keyFor(env, { user: "maker", roles: ["user-maker"] })).secret;
      const refused = await as(env, maker).request(USERS, { method: "POST", json: userObject("by-maker", []) });
      expect(refused.status).toBe(403);
      expect((await json(refused)).message).toContain('cannot assign role "viewer" to user "by-maker"');
    } finally {
      await env.stop();
    }
  });
});

describe("access reviews", () => {
  let env: EnvTest;
  beforeAll(async () => {
    env = await startEnvTest();
    await createUser(env, "carol", ["operator", "ghost-role"]);
  });
  afterAll(async () => env?.stop());

  const review = (spec: Record<string, string>) => env.request(authPaths.accessReview, { method: "POST", json: { apiVersion: "auth.clawbernetes.com/v1", kind: "AccessReview", spec } });

  it.each([
    ["says which role grants it", { resource: "workloads", action: "delete", user: "carol" }, { allowed: true, reason: 'the role "operator" grants workloads:delete' }],
    ["names missing roles", { resource: "secrets", action: "read", user: "carol" }, { allowed: false, reason: "needs secrets:read (none of the roles operator grants it; role(s) ghost-role do not exist)" }],
    ["answers for a user that does not exist", { resource: "nodes", action: "read", user: "nobody" }, { allowed: false, reason: 'user "nobody" does not exist' }],
    ["answers for the caller", { resource: "*", action: "*" }, { allowed: true, reason: 'the role "admin" grants *:*' }],
  ])("%s", async (_name, spec, status) => {
    const r = await review(spec);
    expect(r.status).toBe(201);
    expect(await json(r)).toEqual({ apiVersion: "auth.clawbernetes.com/v1", kind: "AccessReview", spec, status });
  });

  it("refuses an unknown resource or action with 422 on the field", async () => {
    const r = await review({ resource: "pods", action: "fly" });
    expect(r.status).toBe(422);
    expect((await json(r)).details.causes.map((c: { field: string }) => c.field)).toEqual(["spec.resource", "spec.action"]);
  });

  it("refuses other methods on the endpoints with 405", async () => {
    expect((await env.request(authPaths.accessReview)).status).toBe(405);
    expect((await env.request(authPaths.whoami, { method: "POST" })).status).toBe(405);
    expect((await env.request(authPaths.login)).status).toBe(405);
  });

  it("answers 404 for an unknown auth path", async () => {
    expect((await env.request("/apis/auth.clawbernetes.com/v1/nothing")).status).toBe(404);
  });
});
