// Every route the server answers declares its access, and the pipeline enforces it: a table generated from
// server.routes, each entry called without a credential and with one whose user holds no permission.

import { afterAll, describe, expect, it } from "vitest";
import { as, keyFor } from "../api/auth/testing/identity-fixtures.js";
import type { HttpMethod, Route } from "../api/server/route-table.js";
import { startEnvTest } from "./envtest.js";

const env = await startEnvTest();
afterAll(() => env.stop());

// A user with no roles; their keys carry `*:*` scopes, so only the (empty) roles limit them.
const USER = "nobody";
const noPermission = as(env, (await keyFor(env, { user: USER, roles: [] })).secret);
// A second key for the `authenticated` routes, so logout/refresh cannot disturb the first.
const authenticatedOnly = as(env, (await keyFor(env, { user: USER, roles: [] })).secret);
const anonymous = as(env, undefined);

const routes = env.server.routes.all();
const byKind = (kind: Route["access"]["kind"]) => routes.filter((r) => r.access.kind === kind);

/** `{name}` becomes `x`: never the caller's own name, and no object of that name exists. */
const pathOf = (route: Route) => route.path.replace(/\{[a-zA-Z]+\}/g, "x");

function call(caller: ReturnType<typeof as>, route: Route): Promise<Response> {
  const method: HttpMethod = route.method;
  const hasBody = method === "POST" || method === "PUT" || method === "PATCH";
  return caller.request(pathOf(route), {
    method,
    ...(hasBody ? { body: "{}", headers: { "Content-Type": method === "PATCH" ? "application/merge-patch+json" : "application/json" } } : {}),
  });
}

/**
 * Routes whose policy may answer other than 403 for a caller without the permission, and what they may answer.
 * None today: apikeys.secret / apikeys.rotate answer a missing key as someone else's (403, so key names cannot
 * be probed); users.password grants only the caller's own name, and `x` is not.
 */
const POLICY_EXCEPTIONS: Record<string, number[]> = {};
const expectedDenial = (route: Route) => POLICY_EXCEPTIONS[route.id] ?? [403];

describe("the route table", () => {
  it("declares one of the three access kinds on every route", () => {
    const undeclared = routes.filter((r) => !["public", "authenticated", "permission"].includes((r.access as { kind?: string } | undefined)?.kind ?? "")).map((r) => r.id);
    expect(undeclared).toEqual([]);
  });

  it.each(["roles", "users", "apikeys", "secrets", "secretpolicies", "blockrules", "certificates"])("covers the %s kind", (plural) => {
    expect(routes.map((r) => r.id)).toContain(`${plural}.list`);
  });

  it("holds routes of every access kind", () => {
    expect(byKind("public").length).toBeGreaterThan(0);
    expect(byKind("authenticated").length).toBeGreaterThan(0);
    expect(byKind("permission").length).toBeGreaterThan(0);
  });

  it("lists a policy only for the routes this test knows about", () => {
    const withPolicy = byKind("permission").filter((r) => r.access.kind === "permission" && r.access.policy).map((r) => r.id);
    expect(withPolicy.sort()).toEqual(["apikeys.rotate", "apikeys.secret", "nodes.csr", "nodes.heartbeat", "nodes.session", "users.mfa.confirm", "users.mfa.disable", "users.mfa.enroll", "users.mfa.status", "users.password"]);
  });
});

describe("without a credential", () => {
  it.each(routes.filter((r) => r.access.kind !== "public").map((r) => [r.id, r] as const))("%s answers 401", async (_id, route) => {
    expect((await call(anonymous, route)).status).toBe(401);
  });

  /** Public routes that take a credential of their own instead of the pipeline's: they say which one is missing. */
  const OWN_CREDENTIAL: Record<string, RegExp> = { "nodes.join": /bootstrap token/ };

  it.each(byKind("public").filter((r) => !OWN_CREDENTIAL[r.id]).map((r) => [r.id, r] as const))("public %s answers without 401", async (_id, route) => {
    expect((await call(anonymous, route)).status).not.toBe(401);
  });

  it.each(Object.entries(OWN_CREDENTIAL))("public %s asks for its own credential, not the pipeline's", async (id, message) => {
    const answer = await call(anonymous, routes.find((r) => r.id === id)!);
    expect(answer.status).toBe(401);
    expect(await answer.text()).toMatch(message);
  });
});

describe("with a credential that holds no permission", () => {
  it.each(byKind("permission").map((r) => [r.id, r] as const))("%s is refused", async (_id, route) => {
    expect(expectedDenial(route)).toContain((await call(noPermission, route)).status);
  });

  it("refuses /metrics, which needs *:admin", async () => {
    expect((await noPermission.request("/metrics")).status).toBe(403);
  });

  it.each(byKind("authenticated").map((r) => [r.id, r] as const))("authenticated %s is neither 401 nor 403", async (_id, route) => {
    expect([401, 403]).not.toContain((await call(authenticatedOnly, route)).status);
  });
});
