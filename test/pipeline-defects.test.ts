// Regression tests for the red-team findings the pipeline closes: status written as plain update, apply
// creating without create permission through application/apply-patch+json, controllers acting as
// `admin`, unbounded watches, unauthenticated requests amplified into audit entries, and leases audited.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditReader } from "../api/audit/audit-reader.js";
import { as, createRole, createUser, json, keyFor } from "../api/auth/testing/identity-fixtures.js";
import { FakeClock } from "../api/machinery/clock.js";
import { SECURITY_API } from "../api/types/auth-api.js";
import { startEnvTest, type EnvTest } from "./envtest.js";
import { CONTROLLER_RULES, inProcessCredential } from "../cmd/server/controllers.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest({ clock, maxWatchesPerIdentity: 3 });
});
afterAll(async () => env?.stop());

const entries = async (type: string) => (await new AuditReader(env.audit!.log.batches).query({ types: [type], limit: 5000 })).items;

describe("the status subresource needs its own permission", () => {
  it("refuses users:update holders a /status write that would revive revoked sessions or lock a user out", async () => {
    const mallory = await keyFor(env, { user: "mallory-status", roles: [(await createRole(env, "user-editor", ["users:read,list,update"])).metadata.name] });
    await createUser(env, "victim-status", ["viewer"]);
    const caller = as(env, mallory.secret);
    for (const [method, type, body] of [
      ["PATCH", "application/merge-patch+json", { status: { sessionsRevokedAt: "2099-01-01T00:00:00Z" } }],
      ["PUT", "application/json", { ...(await json(await env.request(`${SECURITY_API}/users/victim-status`))), status: { sessionsRevokedAt: null } }],
    ] as const) {
      const r = await caller.request(`${SECURITY_API}/users/victim-status/status`, { method, headers: { "Content-Type": type }, body: JSON.stringify(body) });
      expect({ method, status: r.status }).toEqual({ method, status: 403 });
      expect((await json(r)).message).toMatch(/users\/status.*users:admin/);
    }
    // The main resource still ignores status: nothing a users:update holder sends reaches it.
    const live = await json(await env.request(`${SECURITY_API}/users/victim-status`));
    expect(live.status?.sessionsRevokedAt).toBeUndefined();
  });

  it("lets an admin write status", async () => {
    const r = await env.request(`${SECURITY_API}/users/victim-status/status`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ status: {} }) });
    expect(r.status).toBe(200);
  });
});

describe("server-side apply creating an object needs create, whatever the content type", () => {
  for (const type of ["application/apply-patch+yaml", "application/apply-patch+json"]) {
    it(`refuses ${type} that would create, for a caller with only update`, async () => {
      const role = await createRole(env, `updater-${type.split("+")[1]}`, ["roles:read,update"]);
      const key = await keyFor(env, { user: `updater-${type.split("+")[1]}`, roles: [role.metadata.name] });
      const body = { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: `sneaky-${type.split("+")[1]}` }, spec: { permissions: ["molt:read"] } };
      const r = await as(env, key.secret).request(`${SECURITY_API}/roles/sneaky-${type.split("+")[1]}?fieldManager=test`, { method: "PATCH", headers: { "Content-Type": type }, body: JSON.stringify(body) });
      expect(r.status).toBe(403);
      expect((await json(r)).message).toMatch(/roles:create/);
      expect((await env.request(`${SECURITY_API}/roles/sneaky-${type.split("+")[1]}`)).status).toBe(404);
    });
  }
});

describe("the in-process controllers have their own identity", () => {
  it("is authorized by fixed rules, not by any User, so disabling admin cannot stop it", async () => {
    const access = inProcessCredential({ randomBytes: (n) => new Uint8Array(n).fill(7) });
    const server = env.server as unknown as { opts: { authenticators: unknown[] } };
    // The envtest has no in-process controllers; the rules are what matter: status of its kinds, leases, reads.
    expect(CONTROLLER_RULES.flatMap((r) => r.resources)).toEqual(expect.arrayContaining(["users/status", "leases"]));
    expect(CONTROLLER_RULES.some((r) => r.resources.includes("users") && r.verbs.includes("update"))).toBe(false);
    expect(access.credential.value).toMatch(/^claw-inprocess_/);
    expect(server).toBeDefined();
  });
});

describe("watches per identity are capped", () => {
  it("answers 429 with Retry-After past the cap, and frees a slot when a watch closes", async () => {
    const key = await keyFor(env, { user: "watcher", roles: ["viewer"] });
    const caller = as(env, key.secret);
    const aborts = [new AbortController(), new AbortController(), new AbortController()];
    const open = await Promise.all(aborts.map((a) => caller.request(`${SECURITY_API}/roles?watch=true`, { signal: a.signal })));
    expect(open.map((r) => r.status)).toEqual([200, 200, 200]);
    const over = await caller.request(`${SECURITY_API}/roles?watch=true`);
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toBe("5");
    // Another identity is not affected.
    const other = new AbortController();
    expect((await env.request(`${SECURITY_API}/roles?watch=true`, { signal: other.signal })).status).toBe(200);
    other.abort();
    aborts[0]!.abort();
    await open[0]!.body?.cancel().catch(() => undefined);
    let status = 429;
    for (let i = 0; i < 50 && status === 429; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      const again = new AbortController();
      const r = await caller.request(`${SECURITY_API}/roles?watch=true`, { signal: again.signal });
      status = r.status;
      again.abort();
    }
    expect(status).toBe(200);
    for (const a of aborts) a.abort();
  });
});

describe("refused requests cannot flood the audit log", () => {
  it("records the first 401 from a source at once and the repeats as one entry with a count, naming a presented key by its id", async () => {
    const before = (await entries("security.violation")).length;
    const bogus = "clk_ZZZZZZZZZZZZZZZZZZZZsecretpartthatisnotvalid0000000";
    await Promise.all(Array.from({ length: 200 }, () => as(env, bogus).request(`${SECURITY_API}/roles`)));
    const during = (await entries("security.violation")).slice(before);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatchObject({ actor: "apikey:ak_ZZZZZZZZZZZZZZZZZZZZ", outcome: "failure" });
    expect(JSON.stringify(during)).not.toContain("secretpart");
    clock.step(61_000);
    const mine = async () => (await entries("security.violation")).slice(before).filter((e) => e.actor === "apikey:ak_ZZZZZZZZZZZZZZZZZZZZ");
    let after = during;
    for (let i = 0; i < 50 && after.length < 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      after = await mine();
    }
    expect(after).toHaveLength(2);
    expect(after.map((e) => [e.actor, e.details.repeated ?? 1])).toEqual([["apikey:ak_ZZZZZZZZZZZZZZZZZZZZ", 1], ["apikey:ak_ZZZZZZZZZZZZZZZZZZZZ", 199]]);
  });
});

describe("what is not a security resource is not audited", () => {
  it("writes no resource.* entry for a Lease", async () => {
    const before = (await entries("resource.*")).length;
    const lease = { apiVersion: "coordination.clawbernetes.com/v1", kind: "Lease", metadata: { name: "probe-lease" }, spec: { holderIdentity: "x" } };
    const r = await env.request("/apis/coordination.clawbernetes.com/v1/leases", { method: "POST", json: lease });
    expect(r.status).toBe(201);
    expect((await entries("resource.*")).length).toBe(before);
  });
});

describe("a write's audit entry", () => {
  it("names who wrote it, how, and from where", async () => {
    const r = await env.request(`${SECURITY_API}/roles?fieldManager=probe`, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "traced" }, spec: { permissions: ["molt:read"] } } });
    expect(r.status).toBe(201);
    const entry = (await entries("resource.created")).find((e) => e.resource?.name === "traced");
    expect(entry).toMatchObject({ actor: "admin", sourceIp: expect.stringMatching(/127\.0\.0\.1/), outcome: "success", details: { fieldManager: "probe", authMethod: "apikey" } });
  });
});
