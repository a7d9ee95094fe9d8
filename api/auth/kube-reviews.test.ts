// SelfSubjectAccessReview and SelfSubjectReview over HTTP against the real server (envtest): who may ask,
// what a malformed body gets, and answers judged as the request itself would be.

import { afterAll, describe, expect, it } from "vitest";
import { startEnvTest } from "../../test/envtest.js";
import { SECURITY_API } from "../types/auth-api.js";
import { SERVER_OWN_ACCESS } from "./kube-access-judge.js";
import { decodeReview } from "./kube-protobuf.js";
import { as, createRole, json, keyFor } from "./testing/identity-fixtures.js";

const env = await startEnvTest({ audit: false });
afterAll(() => env.stop());

const SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
const SSR = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
const review = (spec: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec, ...extra });
const resource = (verb: string, res: string, more: Record<string, string> = {}) => review({ resourceAttributes: { verb, resource: res, ...more } });

await createRole(env, "role-reader", ["roles:read,list"]);
const reader = as(env, (await keyFor(env, { user: "reader", roles: ["role-reader"] })).secret);
const admin = as(env, env.token);
const anonymous = as(env, undefined);

async function ask(caller: ReturnType<typeof as>, body: unknown): Promise<{ allowed: boolean; reason?: string }> {
  const r = await caller.request(SSAR, { method: "POST", json: body });
  expect(r.status).toBe(201);
  return (await json(r)).status as { allowed: boolean; reason?: string };
}

/** Minimal protobuf writer for the envelope kubectl sends. */
const field = (n: number, bytes: Uint8Array) => Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
const text = (s: string) => Buffer.from(s, "utf8");
const envelope = (kind: string, group: string, raw: Uint8Array) =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), field(1, Buffer.concat([field(1, text(`${group}/v1`)), field(2, text(kind))])), field(2, raw)]);

describe("who may ask", () => {
  it.each([SSAR, SSR])("refuses %s without a credential with 401", async (path) => {
    expect((await anonymous.request(path, { method: "POST", json: {} })).status).toBe(401);
  });

  it("refuses a disabled user's key with 401, as every request of theirs is refused", async () => {
    const key = await keyFor(env, { user: "gone", roles: ["role-reader"] });
    const patched = await env.request(`${SECURITY_API}/users/gone`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { disabled: true } }) });
    expect(patched.status).toBe(200);
    expect((await as(env, key.secret).request(SSAR, { method: "POST", json: resource("list", "roles") })).status).toBe(401);
  });
});

describe("malformed bodies", () => {
  const deep = (n: number): unknown => (n === 0 ? {} : { a: deep(n - 1) });
  it.each([
    ["text that is not JSON", "not json", "application/json", 400],
    ["a JSON array", "[]", "application/json", 400],
    ["another apiVersion", JSON.stringify({ ...resource("get", "roles"), apiVersion: "authorization.k8s.io/v1beta1" }), "application/json", 400],
    ["another kind", JSON.stringify({ ...resource("get", "roles"), kind: "SubjectAccessReview" }), "application/json", 400],
    ["an unknown top-level field", JSON.stringify(resource("get", "roles")).replace("{", '{"user":"admin",'), "application/json", 400],
    ["an unknown attribute", JSON.stringify(resource("get", "roles", { uid: "x" })), "application/json", 400],
    ["both kinds of attributes", JSON.stringify(review({ resourceAttributes: { verb: "get", resource: "roles" }, nonResourceAttributes: { path: "/x", verb: "get" } })), "application/json", 400],
    ["no attributes", JSON.stringify(review({})), "application/json", 400],
    ["a verb that is not a string", JSON.stringify(review({ resourceAttributes: { verb: 1, resource: "roles" } })), "application/json", 400],
    ["no verb", JSON.stringify(review({ resourceAttributes: { resource: "roles" } })), "application/json", 400],
    ["deep nesting", JSON.stringify({ ...resource("get", "roles"), metadata: deep(500) }), "application/json", 400],
    ["a body past 16 KiB", JSON.stringify({ ...resource("get", "roles"), metadata: { annotations: { a: "x".repeat(20_000) } } }), "application/json", 413],
    ["YAML", "apiVersion: authorization.k8s.io/v1", "application/yaml", 415],
    ["protobuf without the k8s prefix", "garbage", "application/vnd.kubernetes.protobuf", 400],
  ])("answers %s with %i", async (_name, body, contentType, status) => {
    const r = await reader.request(SSAR, { method: "POST", body, headers: { "Content-Type": contentType } });
    expect(r.status).toBe(status);
    expect((await json(r)).kind).toBe("Status");
  });

  it("refuses a SelfSubjectReview of another kind", async () => {
    expect((await reader.request(SSR, { method: "POST", json: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview" } })).status).toBe(400);
  });

  it("refuses protobuf with a field the kind does not have", () => {
    expect(() => decodeReview(envelope("SelfSubjectAccessReview", "authorization.k8s.io", field(9, text("x"))))).toThrow(/has no field 9/);
  });
});

describe("answers", () => {
  it.each([
    ["the admin may create roles in claw's group", admin, resource("create", "roles", { group: "security.clawbernetes.com" }), true, /roles:create/],
    ["the reader may list roles", reader, resource("list", "roles", { group: "security.clawbernetes.com" }), true, /roles:list/],
    ["the reader may not create roles", reader, resource("create", "roles", { group: "security.clawbernetes.com" }), false, /needs roles:create/],
    ["the reader may not write role status", reader, resource("update", "roles", { group: "security.clawbernetes.com", subresource: "status" }), false, /needs roles:admin/],
    ["the empty group names the grammar", reader, resource("get", "roles"), true, /roles:read/],
    ["a group claw does not serve is refused", admin, resource("get", "deployments", { group: "apps" }), false, /no API group "apps"/],
    ["leases need *:admin", reader, resource("get", "leases", { group: "coordination.clawbernetes.com" }), false, /\*:admin/],
    ["anyone authenticated may ask a review", reader, resource("create", "selfsubjectaccessreviews", { group: "authorization.k8s.io" }), true, /authenticated/],
    ["the reader may not read /metrics", reader, review({ nonResourceAttributes: { path: "/metrics", verb: "get" } }), false, /\*:admin/],
    ["the admin may read /metrics", admin, review({ nonResourceAttributes: { path: "/metrics", verb: "get" } }), true, /./],
    ["discovery needs only a credential", reader, review({ nonResourceAttributes: { path: "/apis", verb: "get" } }), true, /authenticated/],
    ["a name of .. is refused, not folded into another path", admin, resource("get", "roles", { group: "security.clawbernetes.com", name: ".." }), false, /one path segment/],
    ["a path that looks like a host is judged as a path", admin, review({ nonResourceAttributes: { path: "//metrics", verb: "get" } }), false, /serves no GET/],
    ["wildcard paths are not judged", admin, review({ nonResourceAttributes: { path: "/apis/*", verb: "get" } }), false, /exact paths/],
  ] as const)("%s", async (_name, caller, body, allowed, reason) => {
    const status = await ask(caller, body);
    expect(status.allowed).toBe(allowed);
    expect(status.reason).toMatch(reason);
  });

  it("reads the same question in protobuf as in JSON", async () => {
    const attrs = Buffer.concat([field(2, text("create")), field(3, text("security.clawbernetes.com")), field(5, text("roles"))]);
    const body = envelope("SelfSubjectAccessReview", "authorization.k8s.io", field(2, field(1, attrs)));
    const r = await reader.request(SSAR, { method: "POST", body, headers: { "Content-Type": "application/vnd.kubernetes.protobuf", Accept: "application/vnd.kubernetes.protobuf,application/json" } });
    expect(r.status).toBe(201);
    expect((await json(r)).status).toMatchObject({ allowed: false });
  });

  it("tells who the caller is and never their secret", async () => {
    const key = await keyFor(env, { user: "scoped", roles: ["role-reader"], scopes: ["roles:read"] });
    const r = await as(env, key.secret).request(SSR, { method: "POST", json: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview", metadata: {}, status: {} } });
    expect(r.status).toBe(201);
    const body = await json(r);
    expect(body.status.userInfo).toMatchObject({ username: "scoped", groups: ["system:authenticated"], extra: { roles: ["role-reader"], authMethod: ["apikey"], keyId: [key.keyId], scopes: ["roles:read"] } });
    expect(body.status.userInfo.uid).toMatch(/./);
    expect(JSON.stringify(body)).not.toContain(key.secret);
  });
});

describe("rules", () => {
  it("lists the reader's permissions as rules, and the paths a credential opens", async () => {
    const r = await reader.request("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { method: "POST", json: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace: "default" } } });
    expect(r.status).toBe(201);
    const { status } = await json(r);
    expect(status.resourceRules).toContainEqual({ verbs: ["get", "list", "watch"], apiGroups: ["security.clawbernetes.com"], resources: ["roles"] });
    expect(status.nonResourceRules[0].nonResourceURLs).toEqual(expect.arrayContaining(["/apis", "/healthz", "/version"]));
    expect(status.nonResourceRules[0].nonResourceURLs).not.toContain("/metrics");
    expect(status.incomplete).toBe(true);
  });

  it("refuses a rules review with an unknown spec field", async () => {
    const body = { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace: "default", user: "admin" } };
    expect((await reader.request("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", { method: "POST", json: body })).status).toBe(400);
  });
});

describe("the judge's copy of the server's own routes", () => {
  it.each(SERVER_OWN_ACCESS.map((r) => [r.id, r] as const))("%s declares the same access as the server", (id, own) => {
    const real = env.server.routes.all().find((r) => r.id === id);
    expect(real?.path).toBe(own.path);
    expect(real?.access).toEqual(own.access);
  });
});
