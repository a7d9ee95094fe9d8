// fast-check arbitraries for request bodies: claw objects of every kind with mutated fields, JSON patches,
// YAML with anchors, aliases, tags and several documents, deep nesting, huge strings, prototype keys and
// bytes that are not UTF-8. Each body is the bytes sent and a short label saying what it is.

import fc from "fast-check";
import { stringify as toYaml } from "yaml";

export interface FuzzBody {
  /** What kind of body this is, for the report ("json-object", "yaml-aliases", …). */
  label: string;
  bytes: Buffer;
}

/** Names the fuzz creates and then reads, updates and deletes; never a name the bootstrap owns. */
export const FUZZ_NAMES = ["fuzz-0", "fuzz-1", "fuzz-2"] as const;

const GROUP = "security.clawbernetes.com/v1";

/** One valid-looking spec per kind, after manifests/. */
const TEMPLATES: Record<string, Record<string, unknown>> = {
  Role: { description: "fuzz role", permissions: ["workloads:*", "nodes:read", "nodes:list"] },
  User: { email: "fuzz@example.com", roles: ["viewer"], disabled: false },
  ApiKey: { displayName: "Fuzz", owner: "fuzz-0", scopes: ["nodes:read"], duration: "90d" },
  Secret: { description: "fuzz", valueFrom: { generate: { length: 32, charset: "alphanumeric" } }, allowedWorkloads: ["api"], rotation: { autoRotate: true, intervalDays: 30 } },
  SecretPolicy: { secret: "fuzz-0", allowWorkloads: ["api"], allowLabels: { env: "prod" }, denyWorkloads: ["debug"] },
  BlockRule: { cidr: "203.0.113.42", reason: "fuzz", duration: "24h", source: "manual" },
  Certificate: { isCA: false, issuerRef: { name: "clawbernetes-ca" }, commonName: "fuzz.example.com", dnsNames: ["fuzz.example.com"], usages: ["digital signature", "server auth"], duration: "24h", privateKey: { algorithm: "ECDSA", size: 256 } },
  Node: { cordoned: false, meshCordoned: false },
};
export const KINDS = Object.keys(TEMPLATES);

/** Values that are the wrong type, size or shape almost anywhere. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, -0, "", "0", "null", "true", [], {}, [[]], { "": "" }), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 2 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.nat({ max: 70_000 }).map((n) => "x".repeat(n)), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.constantFrom(JSON.parse('{"__proto__":{"polluted":true}}') as unknown, { constructor: { prototype: { polluted: true } } }), weight: 1 },
  { arbitrary: fc.nat({ max: 200 }).map((n) => nested(n)), weight: 1 },
);

function nested(depth: number): unknown {
  let value: unknown = "deep";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** The dotted paths of an object's fields, so a mutation can land on any of them. */
function pathsOf(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  out.push(prefix);
  if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  if (path.length === 0) return (value !== null && typeof value === "object" && !Array.isArray(value) ? value : { value }) as Record<string, unknown>;
  // defineProperty and own-key reads: a "__proto__" key stays a plain key and never reaches Object.prototype.
  const own = (node: Record<string, unknown>, key: string, value: unknown) => Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  let node: Record<string, unknown> = root;
  for (const key of path.slice(0, -1)) {
    const next: unknown = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === null || typeof next !== "object") own(node, key, {});
    node = Object.getOwnPropertyDescriptor(node, key)!.value as Record<string, unknown>;
  }
  own(node, path[path.length - 1]!, value);
  return root;
}

const EXTRA_KEYS = ["__proto__", "constructor", "prototype", "status", "metadata.labels", "resourceVersion", "finalizers", "deletionTimestamp", "managedFields", "generateName", "uid", "extra"];

/** The kind a route's plural names (`/apis/…/v1/roles/…` → Role), if any. */
export function kindOfPath(path: string): string | undefined {
  const plural = /\/v1\/([a-z]+)/.exec(path)?.[1];
  return KINDS.find((k) => `${k.toLowerCase()}s` === plural || (k === "SecretPolicy" && plural === "secretpolicies"));
}

/** A claw object, mostly of `kind` when given, mostly valid, with 0 to 3 of its fields (or new ones) set to junk. */
export const fuzzObjectOf = (kind?: string): fc.Arbitrary<Record<string, unknown>> => fc
  .record({
    kind: kind ? fc.oneof({ arbitrary: fc.constant(kind), weight: 4 }, { arbitrary: fc.constantFrom(...KINDS), weight: 1 }) : fc.constantFrom(...KINDS),
    name: fc.oneof({ arbitrary: fc.constantFrom(...FUZZ_NAMES), weight: 6 }, { arbitrary: fc.string({ maxLength: 30 }), weight: 1 }, { arbitrary: fc.constantFrom("", "a".repeat(300), "UPPER", "dot..dot", "-lead"), weight: 1 }),
    labels: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.constantFrom({ fuzz: "yes" }, { "app.kubernetes.io/name": "fuzz", tier: "a" }), weight: 2 },
      { arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }), weight: 1 },
    ),
    mutations: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(fc.tuple(fc.noBias(fc.nat({ max: 9999 })), fc.option(fc.constantFrom(...EXTRA_KEYS), { nil: undefined }), junkValue), { minLength: 1, maxLength: 3 }), weight: 2 }),
  })
  .map(({ kind, name, labels, mutations }) => {
    let object: Record<string, unknown> = { apiVersion: GROUP, kind, metadata: { name, ...(labels ? { labels } : {}) }, spec: structuredClone(TEMPLATES[kind]) };
    for (const [index, extra, value] of mutations) {
      // Not the root: a whole object replaced by junk is one case, a field of it is many.
      const paths = pathsOf(object).slice(1);
      const path = paths[index % paths.length]!;
      // A copy: constantFrom hands out the same instance every time, and the next mutation may write inside it.
      object = setAt(object, extra ? [...path.slice(0, 2), ...extra.split(".")] : path, JSON.parse(JSON.stringify(value) ?? "null"));
    }
    return object;
  });
export const fuzzObject = fuzzObjectOf();

const PATCH_PATHS = ["", "/", "/spec", "/spec/permissions/-", "/spec/permissions/0", "/spec/permissions/999999999", "/metadata/labels/a", "/metadata/labels/a~1b", "/metadata/name", "/metadata/resourceVersion", "/status", "/spec/~2", "/__proto__/polluted", "/constructor/prototype/polluted", "/metadata/finalizers/-"];

/** A JSON patch: a list of operations, real and junk. */
export const jsonPatch: fc.Arbitrary<unknown> = fc.array(
  fc.record(
    { op: fc.constantFrom("add", "remove", "replace", "move", "copy", "test", "explode", ""), path: fc.oneof(fc.constantFrom(...PATCH_PATHS), fc.string({ maxLength: 12 })), from: fc.constantFrom(...PATCH_PATHS), value: junkValue },
    { requiredKeys: ["op", "path"] },
  ),
  { maxLength: 5 },
);

/** YAML the parser does more than linear work for, kept within the server's stated limits and a little past them. */
const yamlSpecial: fc.Arbitrary<FuzzBody> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2, max: 12 })).map(([levels, width]) => {
    const lines = ["a0: &a0 [lol, lol]"];
    for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(", ")}]`);
    return { label: "yaml-laughs", bytes: Buffer.from(lines.join("\n") + "\n") };
  }),
  fc.integer({ min: 1, max: 150 }).map((n) => ({ label: "yaml-anchors", bytes: Buffer.from(Array.from({ length: n }, (_, i) => `k${i}: &x${i} v\nr${i}: *x${i}`).join("\n")) })),
  fc.array(fuzzObject, { minLength: 2, maxLength: 4 }).map((docs) => ({ label: "yaml-multidoc", bytes: Buffer.from(docs.map((d) => toYaml(d)).join("---\n")) })),
  fc.constantFrom(
    "!!binary aGVsbG8=",
    "a: !!js/function 'function(){}'",
    "a: !!set {x, y}",
    "a: !!omap [x: 1]",
    "? [a, b]\n: c",
    "a: 1\na: 2",
    "<<: *nope",
    "a: *undefined",
    "%YAML 9.9\n---\na: 1",
    "a: 0x_",
    "a: .nan\nb: .inf\nc: 1e999",
    "- &a [*a]",
    "a: &a\n  b: *a",
    "---\n...\n---\n",
    "{a: 1, b: [1, 2, {c: d}]}",
  ).map((text) => ({ label: "yaml-tags", bytes: Buffer.from(text) })),
  fc.integer({ min: 1, max: 3000 }).map((n) => ({ label: "yaml-deep", bytes: Buffer.from("a:\n" + Array.from({ length: Math.min(n, 400) }, (_, i) => " ".repeat(i + 1) + `k${i}:`).join("\n") + (n > 400 ? "[".repeat(n) : "")) })),
);

/** Bodies of every shape, objects mostly of `kind`; the media type is chosen apart (fuzz-requests.ts), mostly to match. */
export const fuzzBodyOf = (kind?: string): fc.Arbitrary<FuzzBody> => fc.oneof(
  { arbitrary: fuzzObjectOf(kind).map((o) => ({ label: "json-object", bytes: Buffer.from(JSON.stringify(o)) })), weight: 8 },
  { arbitrary: fuzzObjectOf(kind).map((o) => ({ label: "yaml-object", bytes: Buffer.from(toYaml(o)) })), weight: 4 },
  { arbitrary: jsonPatch.map((p) => ({ label: "json-patch", bytes: Buffer.from(JSON.stringify(p)) })), weight: 3 },
  { arbitrary: yamlSpecial, weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ label: "json-value", bytes: Buffer.from(JSON.stringify(v) ?? "null") })), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ label: "bytes", bytes: Buffer.from(b) })), weight: 1 },
  { arbitrary: fuzzObject.map((o) => ({ label: "invalid-utf8", bytes: Buffer.concat([Buffer.from(JSON.stringify(o).slice(0, -1)), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from("}")]) })), weight: 1 },
  { arbitrary: fc.constantFrom(1000, 20_000, 100_000).map((n) => ({ label: "deep-json", bytes: Buffer.from("[".repeat(n) + "]".repeat(n)) })), weight: 1 },
  { arbitrary: fc.constantFrom(300_000, 1_100_000).map((n) => ({ label: "huge", bytes: Buffer.from(JSON.stringify({ apiVersion: GROUP, kind: "Role", metadata: { name: "fuzz-0" }, spec: { description: "d".repeat(n), permissions: [] } })) })), weight: 1 },
  { arbitrary: fc.constantFrom("", " ", "{", "null", "[]", "\u0000", "\ufeff{}", '{"a":1}{"b":2}', "1".repeat(400)).map((t) => ({ label: "tiny", bytes: Buffer.from(t) })), weight: 2 },
);
