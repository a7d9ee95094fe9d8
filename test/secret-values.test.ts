// Secret values through the real server: sealed before they reach the store on every write path,
// never returned, released only to a workload a rule allows (and audited), and a value altered in the
// store fails to open instead of returning garbage.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditReader } from "../api/audit/audit-reader.js";
import { as, createRole, json, keyFor } from "../api/auth/testing/identity-fixtures.js";
import { resourceKey } from "../api/store/keys.js";
import { Keyring } from "../api/secrets/keyring.js";
import { SECURITY_API } from "../api/types/auth-api.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const SECRETS = `${SECURITY_API}/secrets`;
const PLAIN = "hunter2-plaintext-value";
let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest();
});
afterAll(async () => env?.stop());

const secret = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name, ...metadata }, spec });
const stored = async (name: string) => JSON.parse((await env.store.get(resourceKey("security.clawbernetes.com", "secrets", name)))!.value) as { spec: { sealed?: { version: number; ciphertext: string; keyId: string }; valueFrom?: unknown } };
const audit = async (type: string) => (await new AuditReader(env.audit!.log.batches).query({ types: [type], limit: 1000 })).items;
const release = (credential: string, name: string, workload: unknown) =>
  as(env, credential).request(`${SECRETS}/${name}/release`, { method: "POST", json: { workload } });

describe("a value on its way in", () => {
  it.each([
    ["a create", async () => env.request(SECRETS, { method: "POST", json: secret("by-post", { valueFrom: { value: PLAIN } }) })],
    ["a dry-run create", async () => env.request(`${SECRETS}?dryRun=All`, { method: "POST", json: secret("by-dry-run", { valueFrom: { value: PLAIN } }) })],
    ["a server-side apply", async () => env.request(`${SECRETS}/by-apply?fieldManager=t`, { method: "PATCH", headers: { "Content-Type": "application/apply-patch+yaml" }, body: JSON.stringify(secret("by-apply", { valueFrom: { value: PLAIN } })) })],
    ["a client-side apply's annotation", async () => env.request(SECRETS, { method: "POST", json: secret("by-kubectl", { valueFrom: { value: PLAIN } }, { annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(secret("by-kubectl", { valueFrom: { value: PLAIN } })) } }) })],
  ])("is sealed and never returned after %s", async (_name, send) => {
    const r = await send();
    expect(r.status).toBeLessThan(300);
    const text = await r.text();
    expect(text).not.toContain(PLAIN);
    expect(JSON.parse(text).spec.sealed).toMatchObject({ version: 1, algorithm: "chacha20-poly1305" });
  });

  it("leaves no plaintext in the store's files, the list, or the audit log", async () => {
    for (const path of [SECRETS, `${SECRETS}/by-post`, `${SECRETS}/by-kubectl`]) expect(await (await env.request(path)).text()).not.toContain(PLAIN);
    for (const file of ["store.db", "store.db-wal"]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(env.dataDir, file));
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(PLAIN))).toBe(false);
    }
    expect(JSON.stringify(await audit("*"))).not.toContain(PLAIN);
    expect((await stored("by-post")).spec.valueFrom).toBeUndefined();
  });

  it("keeps the version when the same value is sent again, and makes version 2 for a new one", async () => {
    const first = await json(await env.request(`${SECRETS}/by-post`));
    const again = await env.request(`${SECRETS}/by-post`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { valueFrom: { value: PLAIN } } }) });
    expect((await json(again)).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const changed = await env.request(`${SECRETS}/by-post`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { valueFrom: { value: `${PLAIN}-2` } } }) });
    expect((await json(changed)).spec.sealed.version).toBe(2);
  });

  it("refuses a client that sets spec.sealed itself", async () => {
    const other = (await stored("by-post")).spec.sealed;
    const r = await env.request(SECRETS, { method: "POST", json: secret("forged", { sealed: other }) });
    expect(r.status).toBe(422);
    expect((await json(r)).message).toMatch(/spec.sealed is set by the API server/);
  });

  it("generates a value no person sees", async () => {
    const r = await env.request(SECRETS, { method: "POST", json: secret("generated", { valueFrom: { generate: { length: 40, charset: "hex" } }, allowedWorkloads: ["builder"] }) });
    expect(r.status).toBe(201);
    expect((await json(r)).spec.sealed.version).toBe(1);
  });
});

describe("a value on its way out", () => {
  let node = "";
  let viewer = "";
  beforeAll(async () => {
    await env.request(SECRETS, { method: "POST", json: secret("db", { valueFrom: { value: PLAIN }, allowedWorkloads: ["api-server"] }) });
    await env.request(`${SECURITY_API}/secretpolicies`, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "SecretPolicy", metadata: { name: "db" }, spec: { secret: "db", allowLabels: { team: "backend" }, denyWorkloads: ["debug-container"] } } });
    node = (await keyFor(env, { user: "gpu-node", roles: ["node"] })).secret;
    viewer = (await keyFor(env, { user: "watcher-v", roles: [(await createRole(env, "secret-reader", ["secrets:read,list"])).metadata.name] })).secret;
  });

  it.each([
    ["releases it to a workload the Secret names", { name: "api-server" }, 200, /"value":"hunter2-plaintext-value"/],
    ["releases it to a workload whose labels a policy allows", { name: "batch", labels: { team: "backend" } }, 200, /"version":1/],
    ["refuses a workload no rule allows, saying so", { name: "intruder" }, 403, /no rule allows workload "intruder"/],
    ["refuses a denied workload, naming the rule, even when its labels match", { name: "debug-container", labels: { team: "backend" } }, 403, /denied by SecretPolicy "db" spec.denyWorkloads: "debug-container"/],
    ["refuses an invalid workload name with 422", { name: "Not A Name" }, 422, /workload/],
  ])("%s", async (_name, workload, status, body) => {
    const r = await release(node, "db", workload);
    expect(r.status).toBe(status);
    const answer = (await json(r)) as { message?: string };
    expect(answer.message ?? JSON.stringify(answer)).toMatch(body);
  });

  it("records every release and refusal as secrets.accessed, never with the value", async () => {
    const entries = await audit("secrets.accessed");
    expect(entries.map((e) => [e.outcome, e.details.workload])).toEqual(expect.arrayContaining([["success", "api-server"], ["denied", "intruder"], ["denied", "debug-container"]]));
    expect(JSON.stringify(entries)).not.toContain(PLAIN);
  });

  it("needs workloads:execute to release and secrets:admin to reveal", async () => {
    expect((await release(viewer, "db", { name: "api-server" })).status).toBe(403);
    expect((await as(env, viewer).request(`${SECRETS}/db/reveal`, { method: "POST" })).status).toBe(403);
    const revealed = await env.request(`${SECRETS}/db/reveal`, { method: "POST" });
    expect(await json(revealed)).toMatchObject({ kind: "SecretValue", value: PLAIN, version: 1 });
  });

  it("fails clearly when one byte of the stored ciphertext is flipped, never returning garbage", async () => {
    await env.request(SECRETS, { method: "POST", json: secret("flipped", { valueFrom: { value: "flipped-value" }, allowedWorkloads: ["api-server"] }) });
    const key = resourceKey("security.clawbernetes.com", "secrets", "flipped");
    const kv = (await env.store.get(key))!;
    const object = JSON.parse(kv.value) as { spec: { sealed: { ciphertext: string } } };
    const bytes = Buffer.from(object.spec.sealed.ciphertext, "base64");
    bytes[3] = bytes[3]! ^ 0x01;
    object.spec.sealed.ciphertext = bytes.toString("base64");
    await env.store.update(key, JSON.stringify(object), kv.modRevision);
    const r = await release(node, "flipped", { name: "api-server" });
    expect(r.status).toBe(500);
    expect(((await json(r)) as { message: string }).message).toMatch(/cannot be opened \(AuthenticationFailed\)/);
    expect((await audit("secrets.accessed")).some((e) => e.resource?.name === "flipped" && e.outcome === "failure")).toBe(true);
  });

  it("fails clearly, and audits it, when the sealed value was altered or copied in the store", async () => {
    await env.request(SECRETS, { method: "POST", json: secret("victim", { valueFrom: { value: "victim-value" }, allowedWorkloads: ["api-server"] }) });
    const key = resourceKey("security.clawbernetes.com", "secrets", "victim");
    const kv = (await env.store.get(key))!;
    const object = JSON.parse(kv.value) as { spec: { sealed: { ciphertext: string } } };
    // Copy db's ciphertext onto victim: it is bound to db's name, so it must not open as victim.
    object.spec.sealed = (await stored("db")).spec.sealed as typeof object.spec.sealed;
    await env.store.update(key, JSON.stringify(object), kv.modRevision);
    const r = await release(node, "victim", { name: "api-server" });
    expect(r.status).toBe(500);
    const text = await r.text();
    expect(text).toMatch(/cannot be opened \(AuthenticationFailed\)/);
    expect(text).not.toContain(PLAIN);
    expect((await audit("secrets.accessed")).some((e) => e.resource?.name === "victim" && e.outcome === "failure")).toBe(true);
  });
});

describe("the master key", () => {
  it("must open what is stored: a server started with another key refuses to start, saying why", async () => {
    const other = new Keyring([new Uint8Array(32).fill(9)]);
    await expect(startEnvTest({ sharedStore: env.store, keyring: other })).rejects.toThrow(/cannot open the stored secrets.*Start the server with the master key that sealed them/);
  });
});

describe("versions", () => {
  const rotate = (name: string, body: unknown, credential?: string) =>
    (credential ? as(env, credential) : { request: env.request.bind(env) }).request(`${SECRETS}/${name}/rotate`, { method: "POST", json: body });

  it("rotates to a new version from a value or the generator, keeps the history without values, and audits it", async () => {
    await env.request(SECRETS, { method: "POST", json: secret("rotating", { valueFrom: { value: "v1-value" }, allowedWorkloads: ["api-server"] }) });
    const second = await rotate("rotating", { value: "v2-value" });
    expect({ status: second.status, body: await json(second) }).toMatchObject({ status: 201, body: { version: 2, source: "Value", actor: "admin" } });
    const third = await rotate("rotating", { generate: { length: 24, charset: "hex" } });
    expect(await json(third)).toMatchObject({ version: 3, source: "Generated" });
    const same = await env.request(`${SECRETS}/rotating/reveal`, { method: "POST" });
    expect((await json(same)).value).toMatch(/^[0-9a-f]{24}$/);
    const history = await json(await env.request(`${SECRETS}/rotating/history`));
    expect(history).toMatchObject({ kind: "SecretHistory", currentVersion: 3 });
    expect(history.versions.map((v: { version: number; source: string }) => [v.version, v.source])).toEqual([[1, "Value"], [2, "Value"], [3, "Generated"]]);
    expect(JSON.stringify(history)).not.toMatch(/v1-value|v2-value|ciphertext/);
    expect((await audit("secrets.rotated")).filter((e) => e.resource?.name === "rotating").map((e) => e.details.version)).toEqual([2, 3]);
  });

  it("refuses a rotation without exactly one of value and generate, and one by a caller without secrets:update", async () => {
    expect((await rotate("rotating", {})).status).toBe(422);
    expect((await rotate("rotating", { value: "a", generate: {} })).status).toBe(422);
    const viewer = (await keyFor(env, { user: "rotation-viewer", roles: ["viewer"] })).secret;
    expect((await rotate("rotating", { value: "x" }, viewer)).status).toBe(403);
  });

  it("keeps only the configured number of versions", async () => {
    await env.request(SECRETS, { method: "POST", json: secret("churn", { valueFrom: { value: "c-0" } }) });
    for (let i = 1; i <= 12; i++) await rotate("churn", { value: `c-${i}` });
    const history = await json(await env.request(`${SECRETS}/churn/history`));
    expect(history.versions.map((v: { version: number }) => v.version)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it("explains whether a workload may read a value, and why", async () => {
    const review = async (workload: unknown) => json(await env.request(`${SECRETS}/db/accessreview`, { method: "POST", json: { workload } }));
    expect(await review({ name: "api-server" })).toMatchObject({ allowed: true, reason: 'allowed by Secret "db" spec.allowedWorkloads: "api-server"' });
    expect(await review({ name: "debug-container", labels: { team: "backend" } })).toMatchObject({ allowed: false, reason: expect.stringMatching(/denied by SecretPolicy "db"/) });
  });
});

describe("a rotation's generator", () => {
  it.each([
    ["a length over 4096", { length: 1_000_000_000 }],
    ["a length under 16", { length: 4 }],
    ["an unknown charset", { charset: "emoji" }],
    ["an unknown field", { entropy: 1 }],
  ])("refuses %s with 422 before generating anything", async (_name, generate) => {
    const r = await env.request(`${SECRETS}/rotating/rotate`, { method: "POST", json: { generate } });
    expect(r.status).toBe(422);
  });
});

describe("workload events", () => {
  const send = (credential: string, body: unknown) => as(env, credential).request("/apis/audit.clawbernetes.com/v1/workloadevents", { method: "POST", json: body });

  it("records workload.started and workload.stopped for a caller with workloads:execute, and refuses others", async () => {
    const node = (await keyFor(env, { user: "runner-node", roles: ["node"] })).secret;
    expect((await send(node, { event: "started", workload: { name: "api-server", labels: { env: "prod" } }, secrets: ["db"] })).status).toBe(201);
    expect((await send(node, { event: "stopped", workload: { name: "api-server" }, exitCode: 3 })).status).toBe(201);
    expect((await audit("workload.*")).map((e) => [e.type, e.actor, e.resource?.name, e.details.exitCode ?? null])).toEqual(
      expect.arrayContaining([["workload.started", "runner-node", "api-server", null], ["workload.stopped", "runner-node", "api-server", 3]]),
    );
    const viewer = (await keyFor(env, { user: "runner-viewer", roles: ["viewer"] })).secret;
    expect((await send(viewer, { event: "started", workload: { name: "x" } })).status).toBe(403);
    expect((await send(node, { event: "exploded", workload: { name: "Bad Name" } })).status).toBe(422);
  });
});

describe("a release refused before the decision", () => {
  it("is a secrets.accessed entry too when the caller lacks workloads:execute", async () => {
    const viewer = (await keyFor(env, { user: "no-execute", roles: ["viewer"] })).secret;
    expect((await release(viewer, "db", { name: "api-server" })).status).toBe(403);
    const entries = (await audit("secrets.accessed")).filter((e) => e.actor === "no-execute");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: "denied", resource: { kind: "Secret", name: "db" }, details: { status: 403 } });
  });

  it("is recorded once when the decision refuses it", async () => {
    const node = (await keyFor(env, { user: "once-node", roles: ["node"] })).secret;
    expect((await release(node, "db", { name: "stranger" })).status).toBe(403);
    expect((await audit("secrets.accessed")).filter((e) => e.actor === "once-node")).toHaveLength(1);
  });
});

describe("who may widen a SecretPolicy", () => {
  const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "SecretPolicy", metadata: { name }, spec });
  it("needs secrets:update to allow more, but only the policy's permission to deny", async () => {
    const role = await createRole(env, "policy-writer", ["secretpolicies:create,update,read,list", "workloads:execute"]);
    const writer = (await keyFor(env, { user: "policy-writer", roles: [role.metadata.name] })).secret;
    const widened = await as(env, writer).request(`${SECURITY_API}/secretpolicies`, { method: "POST", json: policy("sneak-in", { secret: "db", allowWorkloads: ["my-workload"] }) });
    expect(widened.status).toBe(403);
    expect(((await json(widened)) as { message: string }).message).toMatch(/needs secrets:update/);
    // And so the release it would have allowed stays refused.
    expect((await release(writer, "db", { name: "my-workload" })).status).toBe(403);
    const denying = await as(env, writer).request(`${SECURITY_API}/secretpolicies`, { method: "POST", json: policy("deny-only", { secret: "db", denyWorkloads: ["my-workload"] }) });
    expect(denying.status).toBe(201);
  });
});
