// The rules every CRD in crds/ keeps: structural, fully specified, documented, and consistent across kinds.

import { describe, expect, it } from "vitest";
import { GROUP } from "../machinery/meta.js";
import { DURATION_PATTERN } from "../types/duration.js";
import { loadCrdRegistry } from "./crd-registry.js";

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
const registry = loadCrdRegistry();
const allKinds = registry.all().map((info) => [info.kind, info] as const);
/** The security resources; the coordination group's Lease is machinery with neither status nor conditions. */
const kinds = allKinds.filter(([, info]) => info.group === GROUP);

/** Every schema below the root with its field path; `metadata` is ObjectMeta's, left to the server. */
function* walk(schema: Node, path: string): Generator<[string, Node]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(isNode(schema.properties) ? schema.properties : {}))
    if (isNode(child) && !(path === "" && key === "metadata")) yield* walk(child, path === "" ? key : `${path}.${key}`);
  if (isNode(schema.items)) yield* walk(schema.items, `${path}[]`);
  if (isNode(schema.additionalProperties)) yield* walk(schema.additionalProperties, `${path}{}`);
}
const fields = (schema: Node) => [...walk(schema, "")].filter(([path]) => path !== "");

describe.each(allKinds)("the %s CRD's schema", (_kind, info) => {
  it("gives every field a type and a description", () => {
    for (const [path, node] of fields(info.schema)) {
      expect(typeof node.type, `${path} has no type`).toBe("string");
      if (path !== "metadata") expect(typeof node.description, `${path} has no description`).toBe("string");
    }
  });

  it("fully specifies every object and array", () => {
    for (const [path, node] of fields(info.schema)) {
      expect(node["x-kubernetes-preserve-unknown-fields"], `${path} preserves unknown fields`).toBeUndefined();
      if (node.type === "array") expect(isNode(node.items), `${path} has no items`).toBe(true);
      if (node.type === "object" && path !== "metadata")
        expect(isNode(node.properties) || isNode(node.additionalProperties), `${path} declares no fields`).toBe(true);
    }
  });
});

describe.each(kinds)("the %s CRD", (_kind, info) => {
  it("has a spec and a status with observedGeneration and Kubernetes conditions", () => {
    const properties = info.schema.properties as Record<string, Node>;
    expect(Object.keys(properties).sort()).toEqual(["apiVersion", "kind", "metadata", "spec", "status"]);
    const status = properties.status?.properties as Record<string, Node>;
    expect(status.observedGeneration).toMatchObject({ type: "integer", minimum: 0 });
    expect(status.conditions).toMatchObject({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] });
  });

  it("has short names, the claw categories, the status subresource and an Age column", () => {
    expect(info.shortNames.length).toBeGreaterThan(0);
    expect(info.categories).toEqual(["claw", "security"]);
    expect(info.hasStatusSubresource).toBe(true);
    expect(info.printerColumns.at(-1)).toEqual({ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" });
  });

  it("writes every duration with the pattern parseDuration reads", () => {
    for (const [path, node] of fields(info.schema))
      if (typeof node.description === "string" && node.description.startsWith("A duration ")) expect(node.pattern, path).toBe(DURATION_PATTERN);
  });
});

describe("across the CRDs", () => {
  it("declares status.conditions identically, as metav1.Condition", () => {
    const conditions = kinds.map(([, info]) => walk(info.schema, "")).map((w) => [...w].find(([path]) => path === "status.conditions")?.[1]);
    for (const c of conditions) expect(c).toEqual(conditions[0]);
    expect((conditions[0]?.items as Node).required).toEqual(["type", "status", "reason", "message", "lastTransitionTime"]);
  });

  it("writes Role permissions and ApiKey scopes in one grammar", () => {
    const itemsOf = (kind: string, path: string) => fields(registry.byKind(kind)?.schema ?? {}).find(([p]) => p === path)?.[1];
    expect(itemsOf("ApiKey", "spec.scopes[]")).toEqual(itemsOf("Role", "spec.permissions[]"));
  });

  it("finds the duration fields the pattern check above covers", () => {
    const durations = kinds.flatMap(([kind, info]) =>
      fields(info.schema).filter(([, n]) => typeof n.description === "string" && n.description.startsWith("A duration ")).map(([p]) => `${kind} ${p}`),
    );
    expect(durations.sort()).toEqual(["ApiKey spec.duration", "BlockRule spec.duration", "Certificate spec.duration", "Certificate spec.renewBefore"]);
  });

  it("marks only the secret value as a password, so that error messages never echo it", () => {
    const passwords = kinds.flatMap(([kind, info]) => fields(info.schema).filter(([, n]) => n.format === "password").map(([p]) => `${kind} ${p}`));
    expect(passwords).toEqual(["Secret spec.valueFrom.value"]);
  });
});
