// What one request body may cost: nesting beyond the limit and YAML alias bombs are 400s, never 500s,
// and deep or wide bodies within the limits take time in proportion to their size, as flat ones do.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { MAX_YAML_BODY_BYTES, parseJsonBody, parseYamlBody } from "./request-body.js";
import { refusal } from "./testing/refusal.js";

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

/** Five anchors, each holding the one before 49 lists deep: 50 levels of text, 245 once expanded. */
const ALIAS_TOWER = Array.from({ length: 5 }, (_, i) => `a${i}: &a${i} ${"[".repeat(49)}${i === 0 ? "1" : `*a${i - 1}`}${"]".repeat(49)}`).join("\n");

describe("parsing a body", () => {
  it.each([
    ["refuses JSON nested past the limit", () => parseJsonBody(nestedJson(101), "bad"), 400, /nests deeper than 100 levels/],
    ["refuses YAML nested past the limit in block style", () => parseYamlBody(nestedYamlSequence(101), "bad"), 400, /nests deeper than 100 levels/],
    ["refuses YAML whose aliases nest past the limit", () => parseYamlBody(ALIAS_TOWER, "bad"), 400, /nests deeper than 100 levels/],
    ["refuses a YAML alias bomb", () => parseYamlBody(ALIAS_BOMB, "bad"), 400, /alias/],
    ["refuses more than 100 YAML aliases", () => parseYamlBody(`a: &a 1\nb: [${Array(101).fill("*a").join(", ")}]`, "bad"), 400, /101 YAML aliases/],
    ["refuses more than 100 YAML anchors", () => parseYamlBody(`[${Array.from({ length: 101 }, (_, i) => `&a${i} 1`).join(", ")}]`, "bad"), 400, /101 YAML anchors/],
    ["refuses more than 100 YAML tags", () => parseYamlBody(`[${Array(101).fill("!t 1").join(", ")}]`, "bad"), 400, /101 YAML tags/],
    ["refuses a YAML key repeated in one mapping", () => parseYamlBody("a:\n  b: 1\n  c: 2\n  b: 3\n", "bad"), 400, /key "b" appears twice/],
    ["refuses YAML with a second document", () => parseYamlBody("a: 1\n---\nb: 2\n", "bad"), 400, /multiple documents/],
    ["refuses a YAML mapping key that is a list", () => parseYamlBody("? [a, b]\n: 1\n", "bad"), 400, /key must be a string/],
    ["refuses YAML larger than its limit with 413", () => parseYamlBody(`a: "${"x".repeat(MAX_YAML_BODY_BYTES)}"`, "bad"), 413, /limit of 262144 for YAML; send the object as JSON/],
    ["names the line of a YAML syntax error", () => parseYamlBody("a: 1\nb: c: d\n", "bad"), 400, /^bad: .*line 2/],
  ])("%s", (_name, parse, code, message) => {
    const error = refusal(parse);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it.each([
    ["JSON nested exactly to the limit", () => parseJsonBody(nestedJson(100), "bad")],
    ["JSON whose strings hold brackets", () => parseJsonBody(`{"a":"${"[{".repeat(200)}"}`, "bad")],
    ["JSON larger than the YAML limit, sent as YAML", () => parseYamlBody(JSON.stringify({ a: "x".repeat(MAX_YAML_BODY_BYTES) }), "bad")],
    ["YAML with anchors and a few aliases", () => parseYamlBody("a: &a {b: 1}\nc: *a\n", "bad")],
    ["a YAML flow mapping that is not JSON", () => parseYamlBody("{a: 1, b: [2]}", "bad")],
  ])("accepts %s", (_name, parse) => {
    expect(parse()).toBeTypeOf("object");
  });

  it("parses a YAML mapping with 16,000 keys in less than 32x the time of one with 2,000 (a quadratic check of keys would be 64x)", () => {
    const mapping = (keys: number) => Array.from({ length: keys }, (_, i) => `k${i}: ${i}`).join("\n");
    const fastest = (text: string) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        parseYamlBody(text, "bad");
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const small = fastest(mapping(2_000));
    const large = fastest(mapping(16_000));
    console.info(`YAML keys: 16,000 in ${large.toFixed(1)} ms, 2,000 in ${small.toFixed(1)} ms, ratio ${(large / small).toFixed(1)}`);
    expect(large / small).toBeLessThan(32);
  });
});

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

  it("refuses a JSON patch whose result would nest past the limit (its path adds depth the body does not show) with 422", async () => {
    // A 99-level body: the list, the operation, and a value of 97 levels, added 5 levels down (into managedFields' fieldsV1).
    const patch = `[{"op":"add","path":"/metadata/managedFields/0/fieldsV1/f:deep","value":${nestedJson(97)}}]`;
    const r = await send(`${ROLES}/deep-target`, "PATCH", "application/json-patch+json", patch);
    const status = (await r.json()) as { reason: string; message: string };
    expect({ code: r.status, reason: status.reason }).toEqual({ code: 422, reason: "Invalid" });
    expect(status.message).toContain("the patched object would nest deeper than 100 levels");
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
  ])("%s with 400 BadRequest", async (_name, path, method, contentType) => {
    const r = await (path === LOGIN ? fetch(env.url + path, { method, body: ALIAS_BOMB, headers: { "Content-Type": contentType } }) : send(path, method, contentType, ALIAS_BOMB));
    const status = (await r.json()) as { reason: string; message: string };
    expect({ code: r.status, reason: status.reason }).toEqual({ code: 400, reason: "BadRequest" });
    expect(status.message).toMatch(/alias/i);
  });
});

describe("login takes JSON only", () => {
  it("refuses a YAML body (an alias bomb included) with 415 before parsing it, without a credential", async () => {
    const r = await fetch(env.url + LOGIN, { method: "POST", body: ALIAS_BOMB, headers: { "Content-Type": "application/yaml" } });
    expect(r.status).toBe(415);
    expect(((await r.json()) as { reason: string }).reason).toBe("UnsupportedMediaType");
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
  const SIZE = 32 * 1024;
  const wide = Array.from({ length: 2000 }, (_, i) => `"a${i}":"v"`);
  it.each([
    // 99 levels through spec.x; 100 through metadata, managedFields, its entry, fieldsV1, 94 f:x and the last {}.
    ["a body nested to the limit, in unknown fields and in managedFields", (i: number) => padded(`deep-${i}`, `,"x":${nestedJson(97)}`, [], SIZE, deepManagedFields(94))],
    ["a wide body with 2,000 annotations", (i: number) => padded(`wide-${i}`, "", wide, SIZE)],
  ])("creates %s in less than 20x the time of a flat body of the same size", async (name, body) => {
    expect(body(0).length).toBeGreaterThanOrEqual(SIZE);
    const flat = await fastestCreate((i) => padded(`flat-${i}`, "", [], SIZE));
    const costly = await fastestCreate(body);
    console.info(`${name}: ${costly.toFixed(2)} ms, flat: ${flat.toFixed(2)} ms, ratio ${(costly / flat).toFixed(2)}`);
    expect(costly / flat).toBeLessThan(20);
  });
});
