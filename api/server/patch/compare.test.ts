import { describe, expect, it } from "vitest";
import { compareValues } from "./compare.js";
import { objectShape } from "./schema-shape.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";

const shape = objectShape(WIDGET_SCHEMA);

const cases: { name: string; before: unknown; after: unknown; added?: unknown; modified?: unknown; removed?: unknown }[] = [
  { name: "reports nothing for equal values", before: { spec: { description: "d", tags: ["a"] } }, after: { spec: { tags: ["a"], description: "d" } } },
  { name: "reports a changed scalar as modified", before: { spec: { description: "d" } }, after: { spec: { description: "e" } }, modified: { "f:spec": { "f:description": {} } } },
  {
    name: "reports a new object and everything in it as added",
    before: {},
    after: { spec: { limits: { cpu: "1" } } },
    added: { "f:spec": { ".": {}, "f:limits": { ".": {}, "f:cpu": {} } } },
  },
  {
    name: "reports a removed object and everything in it as removed",
    before: { spec: { description: "d" } },
    after: {},
    removed: { "f:spec": { ".": {}, "f:description": {} } },
  },
  { name: "reports an atomic list as one modified leaf", before: { spec: { tags: ["a"] } }, after: { spec: { tags: ["a", "b"] } }, modified: { "f:spec": { "f:tags": {} } } },
  {
    name: "reports set items by value",
    before: { spec: { permissions: ["a", "b"] } },
    after: { spec: { permissions: ["b", "c"] } },
    added: { "f:spec": { "f:permissions": { 'v:"c"': {} } } },
    removed: { "f:spec": { "f:permissions": { 'v:"a"': {} } } },
  },
  {
    name: "reports map-keyed items by key, not by position",
    before: { status: { conditions: [{ type: "A", status: "True" }, { type: "B", status: "False" }] } },
    after: { status: { conditions: [{ type: "B", status: "True" }, { type: "A", status: "True" }] } },
    modified: { "f:status": { "f:conditions": { 'k:{"type":"B"}': { "f:status": {} } } } },
  },
  { name: "tells an empty object from an absent one", before: { spec: {} }, after: {}, removed: { "f:spec": {} } },
  { name: "reports a value that changed kind as modified", before: { spec: { extra: { a: { b: 1 } } } }, after: { spec: { extra: { a: "x" } } }, modified: { "f:spec": { "f:extra": { "f:a": {} } } }, removed: { "f:spec": { "f:extra": { "f:a": { "f:b": {} } } } } },
];

describe("compareValues", () => {
  it.each(cases)("$name", ({ before, after, added = {}, modified = {}, removed = {} }) => {
    const got = compareValues(before, after, shape, { strictAfter: true });
    expect({ added: got.added.toFieldsV1(), modified: got.modified.toFieldsV1(), removed: got.removed.toFieldsV1() }).toEqual({ added, modified, removed });
  });

  it("tolerates duplicates in the old value but rejects them in the new one when strict", () => {
    const dup = { status: { conditions: [{ type: "A" }, { type: "A" }] } };
    expect(() => compareValues(dup, {}, shape, { strictAfter: true })).not.toThrow();
    expect(() => compareValues({}, dup, shape, { strictAfter: true })).toThrow(/Duplicate value/);
  });
});
