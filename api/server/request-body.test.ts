// What one request body may cost: nesting beyond the limit and YAML alias bombs are 400s, never 500s,
// and deep or wide bodies within the limits take time in proportion to their size, as flat ones do.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
const LOGIN = "/apis/auth.clawbernetes.com/v1/login";

/** `{"x":{"x":…1…}}` with `levels` objects. */
const nestedJson = (levels: number): string => '{"x":'.repeat(levels) + "1" + "}".repeat(levels);
/** A block-style YAML sequence nested `levels` deep on one line: `- - - 1`. */
const nestedYamlSequence = (levels: number): string => "- ".repeat(levels) + "1";

const roleJson = (name: string, specExtra = "", metadataExtra = ""): string =>
  `{"apiVersion":"security.clawbernetes.com/v1","kind":"Role","metadata":{"name":"${name}"${metadataExtra}},"spec":{"permissions":["nodes:read"]${specExtra}}}`;

/** Ten anchors, each a list of ten of the one before: 10^10 nodes once expanded. */
const ALIAS_BOMB = [
  'a0: &a0 ["lol"]',
  ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`),
  "bomb: *a9",
].join("\n");

let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest();
  const created = await env.request(ROLES, { method: "POST", body: roleJson("deep-target"), headers: { "Content-Type": "application/json" } });
  expect(created.status).toBe(201);
});
afterAll(async () => env?.stop());

const send = (path: string, method: string, contentType: string, body: string) => env.request(path, { method, body, headers: { "Content-Type": contentType } });

describe("a body nested deeper than the limit", () => {
  const deep = nestedJson(2000);
  it.each([
    ["refuses a JSON create", ROLES, "POST", "application/json", roleJson("deep-a", `,"x":${deep}`)],
    ["refuses a YAML create in flow style", ROLES, "POST", "application/yaml", roleJson("deep-b", `,"x":${deep}`)],
    ["refuses a YAML create in block style", ROLES, "POST", "application/yaml", `apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata: {name: deep-c}\nspec:\n  x:\n    ${nestedYamlSequence(2000)}\n`],
    ["refuses an update", `${ROLES}/deep-target`, "PUT", "application/json", roleJson("deep-target", `,"x":${deep}`, ',"resourceVersion":"1"')],
    ["refuses a merge patch", `${ROLES}/deep-target`, "PATCH", "application/merge-patch+json", `{"spec":{"x":${deep}}}`],
    ["refuses a JSON patch", `${ROLES}/deep-target`, "PATCH", "application/json-patch+json", `[{"op":"add","path":"/spec/x","value":${deep}}]`],
    ["refuses an apply in YAML", `${ROLES}/deep-target?fieldManager=t`, "PATCH", "application/apply-patch+yaml", roleJson("deep-target", `,"x":${deep}`)],
    ["refuses an apply in JSON", `${ROLES}/deep-target?fieldManager=t`, "PATCH", "application/apply-patch+json", roleJson("deep-target", `,"x":${deep}`)],
    ["refuses a delete's options", `${ROLES}/deep-target`, "DELETE", "application/json", `{"preconditions":${deep}}`],
    ["refuses a login body", LOGIN, "POST", "application/json", `{"username":${deep}}`],
  ])("%s with 400 BadRequest naming the limit", async (_name, path, method, contentType, body) => {
    const r = await send(path, method, contentType, body);
    const status = (await r.json()) as { kind: string; reason: string; message: string };
    expect({ code: r.status, reason: status.reason }).toEqual({ code: 400, reason: "BadRequest" });
    expect(status.message).toContain("nests deeper than 100 levels");
  });

  it("accepts a body nested exactly to the limit", async () => {
    // The root object and spec are two levels; 98 more under x make 100.
    const r = await send(`${ROLES}?dryRun=All`, "POST", "application/json", roleJson("deep-ok", `,"x":${nestedJson(98)}`));
    expect(r.status).toBe(201);
  });
});

describe("a YAML alias bomb", () => {
  it.each([
    ["refuses it in a create", ROLES, "POST", "application/yaml"],
    ["refuses it in an apply", `${ROLES}/deep-target?fieldManager=t`, "PATCH", "application/apply-patch+yaml"],
    ["refuses it in a login, before authentication", LOGIN, "POST", "application/yaml"],
  ])("%s with 400 BadRequest", async (_name, path, method, contentType) => {
    const r = await (path === LOGIN ? fetch(env.url + path, { method, body: ALIAS_BOMB, headers: { "Content-Type": contentType } }) : send(path, method, contentType, ALIAS_BOMB));
    const status = (await r.json()) as { reason: string; message: string };
    expect({ code: r.status, reason: status.reason }).toEqual({ code: 400, reason: "BadRequest" });
    expect(status.message).toMatch(/alias/i);
  });
});

/** The fastest of `runs` dry-run creates of `body`, in ms; the fastest run is the one least disturbed by the machine. */
async function fastestCreate(body: (i: number) => string, runs = 7): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const text = body(i);
    const started = performance.now();
    const r = await send(`${ROLES}?dryRun=All&fieldValidation=Ignore`, "POST", "application/json", text);
    await r.arrayBuffer();
    best = Math.min(best, performance.now() - started);
    expect(r.status).toBe(201);
  }
  return best;
}

/** `fieldsV1` nested `levels` deep under f:spec, which the server decodes, diffs and re-encodes. */
const deepManagedFields = (levels: number): string =>
  `,"managedFields":[{"manager":"deep","operation":"Update","apiVersion":"security.clawbernetes.com/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":${'{"f:x":'.repeat(levels)}{}${"}".repeat(levels)}}}]`;

/** The body padded with an annotation to `bytes`, so deep, wide and flat bodies are the same size. */
const padded = (name: string, specExtra: string, annotations: string[], bytes: number, metadataExtra = ""): string => {
  const body = (pad: string) => roleJson(name, specExtra, `,"annotations":{${[...annotations, `"pad":"${pad}"`].join(",")}}${metadataExtra}`);
  return body("p".repeat(Math.max(0, bytes - body("").length)));
};

describe("the cost of a body within the limits", () => {
  const SIZE = 12 * 1024;
  const wide = Array.from({ length: 1500 }, (_, i) => `"a${i}":"v"`);
  it.each([
    // 99 levels through spec.x; 100 through metadata, managedFields, its entry, fieldsV1, 94 f:x and the last {}.
    ["a body nested to the limit, in unknown fields and in managedFields", (i: number) => padded(`deep-${i}`, `,"x":${nestedJson(97)}`, [], SIZE, deepManagedFields(94))],
    ["a wide body with 1,500 annotations", (i: number) => padded(`wide-${i}`, "", wide, SIZE)],
  ])("creates %s in less than 20x the time of a flat body of the same size", async (name, body) => {
    expect(body(0).length).toBeGreaterThanOrEqual(SIZE);
    const flat = await fastestCreate((i) => padded(`flat-${i}`, "", [], SIZE));
    const costly = await fastestCreate(body);
    console.info(`${name}: ${costly.toFixed(2)} ms, flat: ${flat.toFixed(2)} ms, ratio ${(costly / flat).toFixed(2)}`);
    expect(costly / flat).toBeLessThan(20);
  });
});
