// Garbage in never yields a 500, a stack trace, or a lost object: a deterministic fuzz of the REST surface.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "./envtest.js";

/** mulberry32: a small seeded PRNG, so a failure replays exactly. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const G = "/apis/security.clawbernetes.com/v1";
const PATHS = [`${G}/roles`, `${G}/roles/fuzz`, `${G}/roles/fuzz/status`, `${G}/users/fuzz`, `${G}/apikeys`, `${G}/roles/%ZZ`, `${G}/roles/fuzz/scale`, "/apis", "/apis/x", "/api/v1", "/openapi/v3", "/openapi/v3/apis/x/y", "/metrics", "/version", "//", "/apis/security.clawbernetes.com/v1/roles/a/b/c/d"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
const TYPES = ["application/json", "application/yaml", "application/merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml", "application/strategic-merge-patch+json", "text/plain", ""];
const QUERIES = ["", "?watch=maybe", "?limit=-1", "?limit=abc", "?continue=%%%", "?labelSelector=a%20in%20(", "?fieldSelector=spec.x=1", "?resourceVersion=abc", "?resourceVersion=99999999", "?dryRun=Some", "?fieldValidation=Loud", "?fieldManager=fuzz&force=true", "?includeObject=All", "?timeoutSeconds=x"];
const BODIES = [
  "",
  "{",
  "null",
  "[]",
  "42",
  '"str"',
  "{}",
  '{"apiVersion":"security.clawbernetes.com/v1","kind":"Role","metadata":{"name":"fuzz"},"spec":{"permissions":["nodes:read"]}}',
  '{"apiVersion":"security.clawbernetes.com/v1","kind":"Role","metadata":{"name":"fuzz","resourceVersion":"x"},"spec":{"permissions":[{}]}}',
  '{"apiVersion":"security.clawbernetes.com/v1","kind":"Role","metadata":{"name":"FUZZ!","labels":{"a":5}},"spec":null,"status":"x"}',
  '{"metadata":{"name":"fuzz","managedFields":[{"manager":5}]}}',
  '[{"op":"replace","path":"/spec/permissions/99","value":1}]',
  '[{"op":"explode"}]',
  '{"metadata":{"finalizers":"not-a-list"}}',
  "a: [\n  - b\n c",
  "apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata: {name: fuzz}\nspec: {permissions: [\"nodes:read\"], extra: 1}\n",
  '{"apiVersion":"security.clawbernetes.com/v1","kind":"Role","metadata":{"name":"fuzz"},"spec":{"permissions":["nodes:read"]},"__proto__":{"polluted":true}}',
  "\u0000\u0001\u0002",
];

let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest();
});
afterAll(async () => env?.stop());

describe("the REST surface under garbage", () => {
  it("answers 1,500 random requests without a 500, each error a Status without a stack trace", async () => {
    const rand = prng(20261125);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const failures: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const method = pick(METHODS);
      const path = pick(PATHS) + pick(QUERIES);
      const type = pick(TYPES);
      const body = method === "GET" || method === "HEAD" ? undefined : pick(BODIES);
      const r = await env.request(path.replace("watch=maybe", "watch=true&timeoutSeconds=0&limit=1").includes("watch=true") ? path.replace("watch=maybe", "") : path, {
        method,
        headers: type ? { "Content-Type": type } : {},
        ...(body !== undefined ? { body } : {}),
      });
      const text = method === "HEAD" ? "" : await r.text();
      if (r.status >= 500 || /\bat .+:\d+:\d+/.test(text)) failures.push(`${method} ${path} [${type}] ${JSON.stringify(body)} → ${r.status} ${text.slice(0, 200)}`);
      if (r.status >= 400 && text && r.headers.get("content-type")?.includes("json")) {
        const status = JSON.parse(text) as { kind?: string };
        if (status.kind !== "Status") failures.push(`${method} ${path} → ${r.status} without a Status`);
      }
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it("still serves a consistent store afterwards", async () => {
    const list = (await (await env.request(`${G}/roles`)).json()) as { items: { metadata: { name: string } }[] };
    for (const item of list.items) expect((await env.request(`${G}/roles/${item.metadata.name}`)).status).toBe(200);
  });
});
