import { describe, expect, it } from "vitest";
import { childShape, isAtomic, objectShape, resolveShape, shapeOf, type Shape } from "./schema-shape.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";

const at = (shape: Shape, ...keys: string[]) => keys.reduce(childShape, shape);
const root = objectShape(WIDGET_SCHEMA);

describe("shapeOf", () => {
  it.each([
    { name: "a list without list-type is atomic", path: ["f:spec", "f:tags"], want: { kind: "list", listType: "atomic" } },
    { name: "a set list is a set", path: ["f:spec", "f:permissions"], want: { kind: "list", listType: "set" } },
    { name: "a map list keeps its keys", path: ["f:spec", "f:rules"], want: { kind: "list", listType: "map", keys: ["name"] } },
    { name: "conditions are keyed by type", path: ["f:status", "f:conditions"], want: { kind: "list", listType: "map", keys: ["type"] } },
    { name: "an atomic map is atomic", path: ["f:spec", "f:selector"], want: { kind: "map", atomic: true } },
    { name: "int-or-string is a scalar", path: ["f:spec", "f:port"], want: { kind: "scalar" } },
    { name: "additionalProperties give the element shape", path: ["f:spec", "f:settings", "f:anything"], want: { kind: "scalar" } },
    { name: "metadata labels are a string map", path: ["f:metadata", "f:labels"], want: { kind: "map", atomic: false } },
    { name: "finalizers are a set", path: ["f:metadata", "f:finalizers"], want: { kind: "list", listType: "set" } },
    { name: "ownerReferences are keyed by uid", path: ["f:metadata", "f:ownerReferences"], want: { kind: "list", listType: "map", keys: ["uid"] } },
    { name: "unknown fields are deduced", path: ["f:spec", "f:extra", "f:free"], want: { kind: "deduced" } },
  ])("$name", ({ path, want }) => {
    expect(at(root, ...path)).toMatchObject(want);
  });

  it.each([
    { name: "an object as a granular map", value: { a: 1 }, kind: "map", atomic: false },
    { name: "an array as an atomic list", value: [1], kind: "list", atomic: true },
    { name: "a string as a scalar", value: "x", kind: "scalar", atomic: true },
  ])("deduces $name", ({ value, kind, atomic }) => {
    const s = resolveShape(shapeOf(undefined), value);
    expect([s.kind, isAtomic(s)]).toEqual([kind, atomic]);
  });
});
