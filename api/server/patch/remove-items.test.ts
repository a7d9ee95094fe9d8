import { describe, expect, it } from "vitest";
import { FieldSet } from "./field-set.js";
import { removeItems } from "./remove-items.js";
import { objectShape } from "./schema-shape.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";

const shape = objectShape(WIDGET_SCHEMA);

const cases: { name: string; value: unknown; remove: string[][]; want: unknown }[] = [
  { name: "removes a member field", value: { spec: { description: "d", replicas: 1 } }, remove: [["f:spec", "f:description"]], want: { spec: { replicas: 1 } } },
  { name: "removes a member with all below it", value: { spec: { limits: { cpu: "1" } }, status: {} }, remove: [["f:spec"]], want: { status: {} } },
  { name: "keeps an object whose fields all went", value: { spec: { description: "d" } }, remove: [["f:spec", "f:description"]], want: { spec: {} } },
  {
    name: "removes a map-keyed item by key",
    value: { status: { conditions: [{ type: "A" }, { type: "B" }] } },
    remove: [["f:status", "f:conditions", 'k:{"type":"A"}']],
    want: { status: { conditions: [{ type: "B" }] } },
  },
  { name: "removes a set item by value", value: { spec: { permissions: ["a", "b"] } }, remove: [["f:spec", "f:permissions", 'v:"a"']], want: { spec: { permissions: ["b"] } } },
  { name: "ignores paths that are not there", value: { spec: { description: "d" } }, remove: [["f:spec", "f:missing"], ["f:status"]], want: { spec: { description: "d" } } },
  { name: "does not look inside atomic lists", value: { spec: { tags: ["a"] } }, remove: [["f:spec", "f:tags", 'v:"a"']], want: { spec: { tags: ["a"] } } },
];

describe("removeItems", () => {
  it.each(cases)("$name", ({ value, remove, want }) => {
    const before = structuredClone(value);
    expect(removeItems(value, FieldSet.of(...remove), shape)).toEqual(want);
    expect(value).toEqual(before);
  });
});
