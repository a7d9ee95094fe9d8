// Every default role × every resource of the guide (and *) × every action, through the real server's access
// review endpoint, against an oracle written from the guide's table; then the same roles against the real
// REST verbs of every served kind.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { as, json, keyFor } from "./testing/identity-fixtures.js";

const ROLES = ["admin", "operator", "viewer", "node"] as const;
const GUIDE_RESOURCES = ["nodes", "workloads", "secrets", "users", "roles", "audit", "molt", "*"] as const;
const GUIDE_ACTIONS = ["create", "read", "list", "update", "delete", "execute", "admin", "*"] as const;

/** The guide's table, read literally: admin *:*, operator workloads:* nodes:read,list, viewer *:read,list, node workloads:execute (+ metrics:write, logs:write). */
function oracle(role: (typeof ROLES)[number], resource: string, action: string): boolean {
  switch (role) {
    case "admin":
      return true;
    case "operator":
      return resource === "workloads" || (resource === "nodes" && (action === "read" || action === "list"));
    case "viewer":
      return action === "read" || action === "list";
    case "node":
      return (resource === "workloads" && action === "execute") || ((resource === "metrics" || resource === "logs") && action === "write");
  }
}

let env: EnvTest;
const credentials = new Map<string, string>();
beforeAll(async () => {
  env = await startEnvTest();
  for (const role of ROLES) credentials.set(role, (await keyFor(env, { user: `matrix-${role}`, roles: [role] })).secret);
});
afterAll(async () => env?.stop());

const cases = ROLES.flatMap((role) => GUIDE_RESOURCES.flatMap((resource) => GUIDE_ACTIONS.map((action) => ({ role, resource, action, allowed: oracle(role, resource, action) }))));

describe("default roles × resources × actions (access reviews)", () => {
  it("covers 4 roles × 8 resources × 8 actions", () => {
    expect(cases).toHaveLength(256);
  });

  it.each(cases)("$role may $action $resource: $allowed", async ({ role, resource, action, allowed }) => {
    const r = await as(env, credentials.get(role)).request(authPaths.accessReview, {
      method: "POST",
      json: { apiVersion: "auth.clawbernetes.com/v1", kind: "AccessReview", spec: { resource, action } },
    });
    expect(r.status).toBe(201);
    const review = await json(r);
    expect(review.status.allowed).toBe(allowed);
    expect(review.status.reason).toContain(allowed ? `the role "${role}" grants ${resource}:${action}` : `needs ${resource}:${action}`);
  });

  it.each([
    ["node", "metrics", "write", true],
    ["node", "logs", "write", true],
    ["node", "metrics", "read", false],
    ["viewer", "metrics", "write", false],
  ] as const)("%s may %s… %s:%s is %s", async (role, resource, action, allowed) => {
    const r = await as(env, credentials.get(role)).request(authPaths.accessReview, { method: "POST", json: { spec: { resource, action } } });
    expect((await json(r)).status.allowed).toBe(allowed);
  });
});

const KINDS = ["roles", "users", "apikeys", "secrets", "secretpolicies", "blockrules", "certificates"] as const;
const VERBS = [
  { action: "read", method: "GET", named: true },
  { action: "list", method: "GET", named: false },
  { action: "create", method: "POST", named: false },
  { action: "update", method: "PATCH", named: true },
  { action: "delete", method: "DELETE", named: true },
] as const;
const restCases = ROLES.flatMap((role) => KINDS.flatMap((kind) => VERBS.map((verb) => ({ role, kind, ...verb, allowed: oracle(role, kind, verb.action) }))));

describe("default roles × served kinds × REST verbs", () => {
  it.each(restCases)("$role $method $kind ($action): allowed $allowed", async ({ role, kind, action, method, named, allowed }) => {
    const path = `${SECURITY_API}/${kind}${named ? "/matrix-absent" : ""}`;
    const r = await as(env, credentials.get(role)).request(path, {
      method,
      ...(method === "PATCH" ? { headers: { "Content-Type": "application/merge-patch+json" }, body: "{}" } : {}),
      ...(method === "POST" ? { json: {} } : {}),
    });
    if (allowed) {
      expect(r.status).not.toBe(403);
      expect(r.status).not.toBe(401);
    } else {
      expect(r.status).toBe(403);
      expect((await json(r)).message).toContain(`user "matrix-${role}" cannot ${action} ${kind}`);
    }
  });
});

describe("RBAC turned off", () => {
  it("lets any authenticated caller do anything, and still refuses no credential", async () => {
    const off = await startEnvTest({ auth: { rbac: { enabled: false } } });
    try {
      const nobody = (await keyFor(off, { user: "nobody", roles: [] })).secret;
      expect((await as(off, nobody).request(`${SECURITY_API}/users`)).status).toBe(200);
      expect((await as(off, nobody).request("/metrics")).status).toBe(200);
      expect((await fetch(off.url + `${SECURITY_API}/users`)).status).toBe(401);
    } finally {
      await off.stop();
    }
  });
});
