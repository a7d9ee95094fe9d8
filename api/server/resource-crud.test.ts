import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
const role = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name, ...((extra.metadata as object) ?? {}) },
  spec: { description: "ML team member", permissions: ["workloads:*", "nodes:read"], ...((extra.spec as object) ?? {}) },
});

let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest();
});
afterAll(async () => env?.stop());

const json = async (r: Response) => (await r.json()) as Record<string, any>;

describe("authentication", () => {
  it.each([
    ["serves /healthz without a credential", "/healthz", 200],
    ["serves /livez without a credential", "/livez", 200],
    ["serves /readyz without a credential", "/readyz", 200],
    ["serves /version without a credential", "/version", 200],
    ["refuses a resource list without a credential", ROLES, 401],
    ["refuses discovery without a credential", "/apis", 401],
    ["refuses /metrics without a credential", "/metrics", 401],
  ])("%s", async (_name, path, code) => {
    const r = await fetch(env.url + path);
    expect(r.status).toBe(code);
    if (code === 401) expect((await json(r)).reason).toBe("Unauthorized");
  });

  it("refuses a wrong API key with 401 and a Status", async () => {
    const r = await fetch(env.url + ROLES, { headers: { "X-API-Key": "clk_wrong" } });
    expect(r.status).toBe(401);
    expect(await json(r)).toMatchObject({ kind: "Status", code: 401, reason: "Unauthorized" });
  });

  it("accepts the bootstrap key in X-API-Key as in Authorization: Bearer", async () => {
    const r = await fetch(env.url + ROLES, { headers: { "X-API-Key": env.token } });
    expect(r.status).toBe(200);
  });
});

describe("create, get, replace", () => {
  it("creates with uid, generation 1, creationTimestamp and a resourceVersion", async () => {
    const r = await env.request(ROLES, { method: "POST", json: role("crud-a") });
    expect(r.status).toBe(201);
    const obj = await json(r);
    expect(obj.metadata).toMatchObject({ name: "crud-a", generation: 1 });
    expect(obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(obj.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(obj.metadata.creationTimestamp).toMatch(/Z$/);
  });

  it("refuses a second create of the same name with 409 AlreadyExists", async () => {
    const r = await env.request(ROLES, { method: "POST", json: role("crud-a") });
    expect(r.status).toBe(409);
    expect(await json(r)).toMatchObject({ reason: "AlreadyExists", details: { name: "crud-a", group: "security.clawbernetes.com", kind: "roles" } });
  });

  it("answers 404 NotFound as a Status for a missing object", async () => {
    const r = await env.request(`${ROLES}/missing`);
    expect(r.status).toBe(404);
    expect((await json(r)).message).toBe('roles.security.clawbernetes.com "missing" not found');
  });

  it("replaces with the current resourceVersion and moves generation on a spec change", async () => {
    const live = await json(await env.request(`${ROLES}/crud-a`));
    live.spec.description = "changed";
    const r = await env.request(`${ROLES}/crud-a`, { method: "PUT", json: live });
    expect(r.status).toBe(200);
    const updated = await json(r);
    expect(updated.metadata.generation).toBe(2);
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(live.metadata.resourceVersion));
  });

  it("keeps generation when only labels change", async () => {
    const live = await json(await env.request(`${ROLES}/crud-a`));
    live.metadata.labels = { team: "ml" };
    const updated = await json(await env.request(`${ROLES}/crud-a`, { method: "PUT", json: live }));
    expect(updated.metadata.generation).toBe(live.metadata.generation);
    expect(updated.metadata.labels).toEqual({ team: "ml" });
  });

  it("refuses a replace with a stale resourceVersion with 409 Conflict", async () => {
    const live = await json(await env.request(`${ROLES}/crud-a`));
    await env.request(`${ROLES}/crud-a`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { description: "x" } }) });
    const r = await env.request(`${ROLES}/crud-a`, { method: "PUT", json: live });
    expect(r.status).toBe(409);
    expect((await json(r)).reason).toBe("Conflict");
  });

  it("refuses a replace without a resourceVersion with 422 naming the field", async () => {
    const r = await env.request(`${ROLES}/crud-a`, { method: "PUT", json: role("crud-a") });
    expect(r.status).toBe(422);
    expect((await json(r)).details.causes[0].field).toBe("metadata.resourceVersion");
  });
});

describe("status subresource", () => {
  it("ignores status on the main resource and spec on /status", async () => {
    const created = await json(await env.request(ROLES, { method: "POST", json: { ...role("status-a"), status: { observedGeneration: 9 } } }));
    expect(created.status).toBeUndefined();
    const withStatus = { ...created, spec: { ...created.spec, description: "ignored" }, status: { observedGeneration: 1 } };
    const r = await env.request(`${ROLES}/status-a/status`, { method: "PUT", json: withStatus });
    expect(r.status).toBe(200);
    const after = await json(r);
    expect(after.status).toEqual({ observedGeneration: 1 });
    expect(after.spec.description).toBe("ML team member");
    expect(after.metadata.generation).toBe(1);
  });

  it("merge-patches /status without moving generation", async () => {
    const r = await env.request(`${ROLES}/status-a/status`, {
      method: "PATCH",
      headers: { "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ status: { observedGeneration: 1, conditions: [{ type: "Ready", status: "True", reason: "Valid", message: "ok", lastTransitionTime: "2026-01-01T00:00:00Z" }] } }),
    });
    expect(r.status).toBe(200);
    const after = await json(r);
    expect(after.status.conditions[0].type).toBe("Ready");
    expect(after.metadata.generation).toBe(1);
  });
});

describe("patch", () => {
  it.each([
    ["a JSON merge patch", "application/merge-patch+json", { spec: { description: "merged" } }, "merged"],
    ["a JSON patch", "application/json-patch+json", [{ op: "replace", path: "/spec/description", value: "json-patched" }], "json-patched"],
  ])("applies %s", async (_n, type, patch, want) => {
    await env.request(ROLES, { method: "POST", json: role(`patch-${want}`) });
    const r = await env.request(`${ROLES}/patch-${want}`, { method: "PATCH", headers: { "Content-Type": type }, body: JSON.stringify(patch) });
    expect(r.status).toBe(200);
    expect((await json(r)).spec.description).toBe(want);
  });

  it("applies concurrent merge patches of one object one after another, none refused", async () => {
    await env.request(ROLES, { method: "POST", json: role("patch-concurrent") });
    const patchLabel = (i: number) =>
      env.request(`${ROLES}/patch-concurrent`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ metadata: { labels: { [`l${i}`]: "x" } } }) });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => patchLabel(i)));
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    const live = await json(await env.request(`${ROLES}/patch-concurrent`));
    expect(Object.keys(live.metadata.labels).length).toBe(40);
  });

  it("still refuses a stale resourceVersion with 409 while concurrent patches of the object run", async () => {
    const created = await json(await env.request(ROLES, { method: "POST", json: role("patch-stale") }));
    const patchDescription = (i: number) =>
      env.request(`${ROLES}/patch-stale`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { description: `d${i}` } }) });
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => patchDescription(i)),
      env.request(`${ROLES}/patch-stale`, { method: "PUT", json: { ...created, spec: { ...created.spec, description: "stale" } } }),
      env.request(`${ROLES}/patch-stale`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { description: "stale" } }) }),
    ]);
    expect(answers.slice(0, 10).map((r) => r.status)).toEqual(Array(10).fill(200));
    // The first writer in line may be either stale request (then it succeeds on the object it saw); the other must be refused.
    const stale = answers.slice(10).map((r) => r.status).sort();
    expect(stale[1]).toBe(409);
    expect((await json(await env.request(`${ROLES}/patch-stale`))).metadata.generation).toBeGreaterThanOrEqual(11);
  });

  it("refuses a strategic merge patch with 415", async () => {
    const r = await env.request(`${ROLES}/crud-a`, { method: "PATCH", headers: { "Content-Type": "application/strategic-merge-patch+json" }, body: "{}" });
    expect(r.status).toBe(415);
  });

  it("creates through server-side apply, then reports a conflict with another manager and takes over with force", async () => {
    const applied = JSON.stringify(role("ssa-a", { spec: { description: "by alice" } }));
    const first = await env.request(`${ROLES}/ssa-a?fieldManager=alice`, { method: "PATCH", headers: { "Content-Type": "application/apply-patch+yaml" }, body: applied });
    expect(first.status).toBe(201);
    const other = JSON.stringify(role("ssa-a", { spec: { description: "by bob" } }));
    const conflict = await env.request(`${ROLES}/ssa-a?fieldManager=bob`, { method: "PATCH", headers: { "Content-Type": "application/apply-patch+yaml" }, body: other });
    expect(conflict.status).toBe(409);
    expect((await json(conflict)).message).toContain('conflict with "alice"');
    const forced = await env.request(`${ROLES}/ssa-a?fieldManager=bob&force=true`, { method: "PATCH", headers: { "Content-Type": "application/apply-patch+yaml" }, body: other });
    expect(forced.status).toBe(200);
    const obj = await json(forced);
    expect(obj.spec.description).toBe("by bob");
    expect(obj.metadata.managedFields.map((m: { manager: string }) => m.manager)).toContain("bob");
  });

  it("requires a fieldManager for apply", async () => {
    const r = await fetch(`${env.url}${ROLES}/ssa-b`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${env.token}`, "Content-Type": "application/apply-patch+yaml", "User-Agent": "" },
      body: JSON.stringify(role("ssa-b")),
    });
    expect(r.status).toBe(400);
  });
});

describe("delete and finalizers", () => {
  it("marks an object with finalizers for deletion and removes it when the last finalizer goes", async () => {
    await env.request(ROLES, { method: "POST", json: role("fin-a", { metadata: { finalizers: ["claw.io/test"] } }) });
    const marked = await json(await env.request(`${ROLES}/fin-a`, { method: "DELETE" }));
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect((await env.request(`${ROLES}/fin-a`)).status).toBe(200);
    const r = await env.request(`${ROLES}/fin-a`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ metadata: { finalizers: null } }) });
    expect(r.status).toBe(200);
    expect((await env.request(`${ROLES}/fin-a`)).status).toBe(404);
  });

  it("deletes an object without finalizers at once", async () => {
    await env.request(ROLES, { method: "POST", json: role("del-a") });
    expect((await env.request(`${ROLES}/del-a`, { method: "DELETE" })).status).toBe(200);
    expect((await env.request(`${ROLES}/del-a`)).status).toBe(404);
    expect((await env.request(`${ROLES}/del-a`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses a delete whose resourceVersion precondition is stale", async () => {
    await env.request(ROLES, { method: "POST", json: role("del-b") });
    const r = await env.request(`${ROLES}/del-b`, { method: "DELETE", json: { preconditions: { resourceVersion: "1" } } });
    expect(r.status).toBe(409);
  });
});

describe("list", () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) await env.request(ROLES, { method: "POST", json: role(`page-${i}`, { metadata: { labels: { page: "yes", idx: String(i) } } }) });
  });

  it("pages with limit and continue through one snapshot", async () => {
    const names: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = await json(await env.request(`${ROLES}?labelSelector=page%3Dyes&limit=2${token ? `&continue=${token}` : ""}`));
      names.push(...page.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      token = page.metadata.continue ?? "";
      pages++;
    } while (token);
    expect(names).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
    expect(pages).toBe(3);
  });

  it.each([
    ["idx in (1,3)", ["page-1", "page-3"]],
    ["page=yes,idx!=0,idx!=4", ["page-1", "page-2", "page-3"]],
    ["!page", null],
  ])("filters by the label selector %s", async (selector, want) => {
    const list = await json(await env.request(`${ROLES}?labelSelector=${encodeURIComponent(selector)}`));
    const names = list.items.map((i: { metadata: { name: string } }) => i.metadata.name).filter((n: string) => n.startsWith("page-"));
    expect(names).toEqual(want ?? []);
  });

  it("refuses a garbage continue token with 400", async () => {
    expect((await env.request(`${ROLES}?continue=garbage`)).status).toBe(400);
  });

  it("answers a Table with the CRD's printer columns when asked", async () => {
    const r = await env.request(ROLES, { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" } });
    const table = await json(r);
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toContain("Description");
  });
});

describe("bad input never corrupts data and never yields a 500", () => {
  it.each([
    ["malformed JSON", "{not json", "application/json", 400],
    ["malformed YAML", "a: [", "application/yaml", 400],
    ["an empty body", "", "application/json", 400],
    ["a JSON array", "[]", "application/json", 400],
    ["an unknown content type", "x", "text/csv", 415],
    ["a wrong kind", JSON.stringify({ apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "x" }, spec: {} }), "application/json", 400],
    ["a missing name", JSON.stringify({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: {}, spec: { permissions: ["nodes:read"] } }), "application/json", 422],
    ["an invalid permission", JSON.stringify(role("bad-perm", { spec: { permissions: ["nodes:fly"] } })), "application/json", 422],
  ])("refuses %s", async (_n, body, type, code) => {
    const r = await env.request(ROLES, { method: "POST", headers: { "Content-Type": type }, body });
    expect(r.status).toBe(code);
    const status = await json(r);
    expect(status.kind).toBe("Status");
    expect(JSON.stringify(status)).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("names every offending field path in a 422", async () => {
    const r = await env.request(ROLES, { method: "POST", json: role("bad-two", { spec: { permissions: ["nodes:fly", "x:y"], description: 5 } }) });
    expect(r.status).toBe(422);
    const fields = (await json(r)).details.causes.map((c: { field: string }) => c.field);
    expect(fields).toEqual(expect.arrayContaining(["spec.permissions[0]", "spec.permissions[1]", "spec.description"]));
  });

  it("rejects unknown fields under fieldValidation=Strict and prunes them otherwise", async () => {
    const strict = await env.request(`${ROLES}?fieldValidation=Strict`, { method: "POST", json: role("unknown-a", { spec: { colour: "red" } }) });
    expect(strict.status).toBe(422);
    expect(JSON.stringify(await json(strict))).toContain("spec.colour");
    const warn = await env.request(ROLES, { method: "POST", json: role("unknown-a", { spec: { colour: "red" } }) });
    expect(warn.status).toBe(201);
    expect(warn.headers.get("warning")).toContain("spec.colour");
    expect((await json(warn)).spec.colour).toBeUndefined();
  });

  it("refuses an oversized body with 413", async () => {
    const r = await env.request(ROLES, { method: "POST", json: role("huge", { spec: { description: "x".repeat(4 * 1024 * 1024) } }) });
    expect(r.status).toBe(413);
  });

  it("answers 404 for unknown paths and 405 for unsupported methods", async () => {
    expect((await env.request("/apis/security.clawbernetes.com/v1/nothings")).status).toBe(404);
    expect((await env.request(ROLES, { method: "PUT", json: role("x") })).status).toBe(405);
  });
});

describe("metrics", () => {
  it("counts requests by verb, resource and code in Prometheus text", async () => {
    const text = await (await env.request("/metrics")).text();
    expect(text).toMatch(/claw_apiserver_requests_total\{verb="create",resource="roles",subresource="",code="201"\} \d+/);
    expect(text).toContain("claw_store_request_duration_seconds_bucket");
    expect(text).toContain("claw_apiserver_open_watches");
  });
});
