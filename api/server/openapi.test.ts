import { describe, expect, it } from "vitest";
import { loadCrdRegistry } from "../schema/crd-registry.js";
import { answerOpenApi, buildOpenApi } from "./openapi.js";
import { toV2Schema } from "./openapi-v2.js";
import { openApiV3Document, PATCH_CONTENT_TYPES, reverseDomain, schemaNameOf } from "./openapi-v3.js";
import { asUser, resourceInfo, withoutStatus } from "./testing/resource-info-fixture.js";

/** Reads a value at a path of keys and indexes, undefined where the path leaves the document. */
const dig = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[k] : undefined), value);
const keysOf = (value: unknown) => Object.keys((value ?? {}) as object);
const asArray = (value: unknown) => (Array.isArray(value) ? (value as unknown[]) : []);

const role = resourceInfo();
const user = resourceInfo(asUser, withoutStatus);
const v3 = openApiV3Document([role, user]);
const GV = "/apis/security.clawbernetes.com/v1";
const roleGvk = { group: "security.clawbernetes.com", kind: "Role", version: "v1" };

describe("OpenAPI v3 document", () => {
  it("names schemas by reverse domain, as kube names CRD schemas", () => {
    expect(reverseDomain("security.clawbernetes.com")).toBe("com.clawbernetes.security");
    expect(schemaNameOf(role, "Role")).toBe("com.clawbernetes.security.v1.Role");
    expect(keysOf(dig(v3, "components", "schemas"))).toEqual(
      expect.arrayContaining(["com.clawbernetes.security.v1.Role", "com.clawbernetes.security.v1.RoleList", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]),
    );
  });

  it("keeps the CRD schema and types apiVersion, kind and metadata", () => {
    const schema = dig(v3, "components", "schemas", "com.clawbernetes.security.v1.Role");
    expect(dig(schema, "x-kubernetes-group-version-kind")).toEqual([roleGvk]);
    expect(dig(schema, "description")).toBe("A named set of permissions.");
    expect(dig(schema, "properties", "spec")).toEqual(dig(role.schema, "properties", "spec"));
    expect(dig(schema, "properties", "metadata", "allOf")).toEqual([{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }]);
    expect(dig(schema, "properties", "apiVersion", "type")).toBe("string");
  });

  it("does not change the ResourceInfo it reads", () => {
    expect(dig(role.schema, "properties", "metadata")).toEqual({ type: "object" });
  });

  it("describes the list kind with its own GVK and items of the kind", () => {
    const list = dig(v3, "components", "schemas", "com.clawbernetes.security.v1.RoleList");
    expect(dig(list, "x-kubernetes-group-version-kind")).toEqual([{ ...roleGvk, kind: "RoleList" }]);
    expect(dig(list, "properties", "items", "items")).toEqual({ $ref: "#/components/schemas/com.clawbernetes.security.v1.Role" });
  });

  const operations = [
    { path: `${GV}/roles`, method: "get", action: "list" },
    { path: `${GV}/roles`, method: "post", action: "post" },
    { path: `${GV}/roles/{name}`, method: "get", action: "get" },
    { path: `${GV}/roles/{name}`, method: "put", action: "put" },
    { path: `${GV}/roles/{name}`, method: "patch", action: "patch" },
    { path: `${GV}/roles/{name}`, method: "delete", action: "delete" },
    { path: `${GV}/roles/{name}/status`, method: "get", action: "get" },
    { path: `${GV}/roles/{name}/status`, method: "put", action: "put" },
    { path: `${GV}/roles/{name}/status`, method: "patch", action: "patch" },
  ];
  it.each(operations)("marks $method $path with the GVK and action $action", ({ path, method, action }) => {
    const op = dig(v3, "paths", path, method);
    expect(dig(op, "x-kubernetes-group-version-kind")).toEqual(roleGvk);
    expect(dig(op, "x-kubernetes-action")).toBe(action);
    expect(dig(op, "operationId")).toMatch(/^[a-z]+SecurityClawbernetesComV1Role(Status)?$/);
  });

  it("has no status path for a kind without the status subresource", () => {
    expect(dig(v3, "paths", `${GV}/users/{name}/status`)).toBeUndefined();
    expect(dig(v3, "paths", `${GV}/users/{name}`, "patch", "x-kubernetes-group-version-kind", "kind")).toBe("User");
  });

  it("accepts exactly JSON patch, merge patch and apply patch on PATCH (no strategic merge: kubectl then sends a merge patch)", () => {
    const content = dig(v3, "paths", `${GV}/roles/{name}`, "patch", "requestBody", "content");
    expect(keysOf(content)).toEqual([...PATCH_CONTENT_TYPES]);
    expect(keysOf(content)).not.toContain("application/strategic-merge-patch+json");
  });

  it("offers fieldValidation on PATCH, which makes kubectl send ?fieldValidation=Strict instead of downloading /openapi/v2", () => {
    const params = asArray(dig(v3, "paths", `${GV}/roles/{name}`, "patch", "parameters"));
    expect(params.map((p) => dig(p, "name"))).toEqual(expect.arrayContaining(["fieldValidation", "fieldManager", "dryRun", "force"]));
    expect(dig(params.find((p) => dig(p, "name") === "fieldValidation"), "in")).toBe("query");
  });

  it("lets kubectl explain find the schema: the GET operation's GVK is in the schema's GVK list", () => {
    const gvk = dig(v3, "paths", `${GV}/roles`, "get", "x-kubernetes-group-version-kind");
    const schemas = Object.values(dig(v3, "components", "schemas") as object);
    const found = schemas.filter((s) => asArray(dig(s, "x-kubernetes-group-version-kind")).some((g) => JSON.stringify(g) === JSON.stringify(gvk)));
    expect(found).toHaveLength(1);
  });

  it("resolves every $ref to a schema in the document", () => {
    const refs = JSON.stringify(v3).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of refs) expect(dig(v3, "components", "schemas", ref.slice('"#/components/schemas/'.length, -1)), ref).toBeDefined();
  });

  it("builds a document for every CRD in crds/", () => {
    const infos = loadCrdRegistry().all();
    const doc = openApiV3Document(infos);
    for (const info of infos) {
      const gvk = [{ group: info.group, kind: info.kind, version: info.version }];
      expect(dig(doc, "components", "schemas", schemaNameOf(info, info.kind), "x-kubernetes-group-version-kind")).toEqual(gvk);
      expect(dig(doc, "paths", `/apis/${info.group}/${info.version}/${info.plural}/{name}`, "patch")).toBeDefined();
    }
  });
});

describe("OpenAPI v2 conversion", () => {
  const cases = [
    { name: "points refs at definitions", input: { $ref: "#/components/schemas/X" }, expected: { $ref: "#/definitions/X" } },
    { name: "turns nullable into x-nullable", input: { type: "string", nullable: true }, expected: { type: "string", "x-nullable": true } },
    { name: "drops anyOf, oneOf and not, which v2 lacks", input: { anyOf: [{ type: "string" }], oneOf: [], not: {}, type: "object" }, expected: { type: "object" } },
    { name: "converts nested property schemas but not property names", input: { properties: { not: { nullable: true } } }, expected: { properties: { not: { "x-nullable": true } } } },
    { name: "leaves defaults, enums and extensions as data", input: { default: { nullable: true }, enum: [{ $ref: "x" }], "x-kubernetes-list-map-keys": ["type"] }, expected: { default: { nullable: true }, enum: [{ $ref: "x" }], "x-kubernetes-list-map-keys": ["type"] } },
  ];
  it.each(cases)("$name", ({ input, expected }) => {
    expect(toV2Schema(input)).toEqual(expected);
  });

  it("publishes Swagger 2.0 with GVK-tagged definitions and body parameters", () => {
    const v2: unknown = JSON.parse(buildOpenApi([role]).v2);
    expect(dig(v2, "swagger")).toBe("2.0");
    expect(dig(v2, "definitions", "com.clawbernetes.security.v1.Role", "x-kubernetes-group-version-kind")).toEqual([roleGvk]);
    const patch = dig(v2, "paths", `${GV}/roles/{name}`, "patch");
    expect(dig(patch, "consumes")).toEqual([...PATCH_CONTENT_TYPES]);
    expect(dig(patch, "parameters", 0)).toMatchObject({ name: "body", in: "body", required: true, schema: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" } });
    expect(asArray(dig(patch, "parameters")).find((p) => dig(p, "name") === "fieldValidation")).toMatchObject({ in: "query", type: "string" });
    expect(JSON.stringify(v2)).not.toContain("#/components/");
  });
});

describe("answerOpenApi", () => {
  const docs = buildOpenApi([role, user]);
  const doc = docs.v3.get("apis/security.clawbernetes.com/v1")!;
  const answer = (path: string, opts: { query?: string; accept?: string; ifNoneMatch?: string } = {}) => answerOpenApi({ docs, path, ...opts });

  it("indexes each group version with a hashed URL", () => {
    const index = JSON.parse(answer("/openapi/v3")!.body!);
    expect(index).toEqual({ paths: { "apis/security.clawbernetes.com/v1": { serverRelativeURL: `/openapi/v3/apis/security.clawbernetes.com/v1?hash=${doc.hash}` } } });
    expect(doc.hash).toMatch(/^[0-9A-F]{128}$/);
  });

  const cases = [
    { name: "serves the index for kubectl's Accept", path: "/openapi/v3", query: "", accept: "application/json, */*", status: 200, cache: "no-cache, private" },
    { name: "serves a hashed document as immutable", path: "/openapi/v3/apis/security.clawbernetes.com/v1", query: `hash=${doc.hash}`, accept: "application/json", status: 200, cache: "public, max-age=31536000, immutable" },
    { name: "serves an unhashed document for revalidation", path: "/openapi/v3/apis/security.clawbernetes.com/v1", query: "", accept: "application/json", status: 200, cache: "no-cache, private" },
    { name: "serves Swagger 2.0 as JSON", path: "/openapi/v2", query: "", accept: "application/json", status: 200, cache: "no-cache, private" },
    { name: "refuses /openapi/v2 as protobuf (client-go's ask) with 406", path: "/openapi/v2", query: "", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", status: 406, cache: undefined },
  ];
  it.each(cases)("$name", ({ path, query, accept, status, cache }) => {
    const a = answer(path, { query, accept })!;
    expect(a.status).toBe(status);
    expect(a.headers["Content-Type"]).toBe("application/json");
    expect(a.headers["Cache-Control"]).toBe(cache);
    if (status === 200) expect(a.headers.ETag).toMatch(/^"[0-9A-F]{128}"$/);
  });

  it("redirects a stale hash to the current document", () => {
    const a = answer("/openapi/v3/apis/security.clawbernetes.com/v1", { query: "hash=OLD" })!;
    expect(a.status).toBe(301);
    expect(a.headers.Location).toBe(`/openapi/v3/apis/security.clawbernetes.com/v1?hash=${doc.hash}`);
  });

  it("answers 304 to a matching If-None-Match", () => {
    expect(answer("/openapi/v3/apis/security.clawbernetes.com/v1", { ifNoneMatch: `"${doc.hash}"` })!.status).toBe(304);
  });

  it("serves the same bytes the hash was computed from", () => {
    expect(answer("/openapi/v3/apis/security.clawbernetes.com/v1")!.body).toBe(doc.body);
  });

  it("leaves unknown paths to the caller (404)", () => {
    expect(answer("/openapi/v3/apis/apps/v1")).toBeUndefined();
    expect(answer("/openapi/v4")).toBeUndefined();
  });
});
