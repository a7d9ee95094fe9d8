import { describe, expect, it } from "vitest";
import { FieldSet } from "./field-set.js";
import { fieldSetOf, withNamedFieldsAsMembers } from "./field-set-of.js";
import { objectShape } from "./schema-shape.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";
import { TypedValueError } from "./typed-entries.js";

const shape = objectShape(WIDGET_SCHEMA);

const cases: { name: string; value: unknown; fieldsV1: unknown }[] = [
  { name: "owns scalars but not the named objects around them", value: { spec: { description: "d" } }, fieldsV1: { "f:spec": { "f:description": {} } } },
  { name: "owns an empty named object itself", value: { spec: {} }, fieldsV1: { "f:spec": {} } },
  { name: "owns a null field", value: { spec: { description: null } }, fieldsV1: { "f:spec": { "f:description": {} } } },
  { name: "owns an atomic list whole", value: { spec: { tags: ["a", "b"] } }, fieldsV1: { "f:spec": { "f:tags": {} } } },
  { name: "owns an atomic map whole", value: { spec: { selector: { team: "a" } } }, fieldsV1: { "f:spec": { "f:selector": {} } } },
  { name: "owns each set item by value", value: { spec: { permissions: ["b", "a"] } }, fieldsV1: { "f:spec": { "f:permissions": { 'v:"a"': {}, 'v:"b"': {} } } } },
  {
    name: "owns each map-keyed item and the fields it sets",
    value: { spec: { rules: [{ name: "r1", action: "deny", ports: [1] }] } },
    fieldsV1: { "f:spec": { "f:rules": { 'k:{"name":"r1"}': { ".": {}, "f:action": {}, "f:name": {}, "f:ports": {} } } } },
  },
  {
    name: "owns free map keys as members",
    value: { spec: { settings: { a: "1" }, extra: { deep: { x: 1 } } } },
    fieldsV1: { "f:spec": { "f:settings": { "f:a": {} }, "f:extra": { "f:deep": { ".": {}, "f:x": {} } } } },
  },
  { name: "owns nothing for an empty granular list", value: { metadata: { finalizers: [] } }, fieldsV1: {} },
  {
    name: "owns labels, finalizers and ownerReferences by key",
    value: { metadata: { labels: { team: "a" }, finalizers: ["claw/x"], ownerReferences: [{ uid: "u1", kind: "User", name: "n" }] } },
    fieldsV1: {
      "f:metadata": {
        "f:labels": { "f:team": {} },
        "f:finalizers": { 'v:"claw/x"': {} },
        "f:ownerReferences": { 'k:{"uid":"u1"}': { ".": {}, "f:kind": {}, "f:name": {}, "f:uid": {} } },
      },
    },
  },
];

describe("fieldSetOf", () => {
  it.each(cases)("$name", ({ value, fieldsV1 }) => {
    expect(fieldSetOf(value, shape, { strict: true }).toFieldsV1()).toEqual(fieldsV1);
  });

  it.each([
    { name: "a map-keyed item without its key", value: { spec: { rules: [{ action: "x" }] } }, field: "spec.rules[0].name", reason: "FieldValueRequired" },
    { name: "two items with one key", value: { status: { conditions: [{ type: "Ready" }, { type: "Ready" }] } }, field: "status.conditions[1]", reason: "FieldValueDuplicate" },
    { name: "a repeated set value", value: { spec: { permissions: ["a", "a"] } }, field: "spec.permissions[1]", reason: "FieldValueDuplicate" },
    { name: "a scalar in a map-keyed list", value: { spec: { rules: ["r1"] } }, field: "spec.rules[0]", reason: "FieldValueTypeMismatch" },
  ])("rejects $name when strict", ({ value, field, reason }) => {
    let caught: unknown;
    try {
      fieldSetOf(value, shape, { strict: true });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TypedValueError);
    const err = caught as TypedValueError;
    expect([err.message.split(":")[0], err.reason]).toEqual([field, reason]);
  });

  it("leaves a duplicate untracked when lenient, tracking the first", () => {
    const set = fieldSetOf({ status: { conditions: [{ type: "Ready", status: "True" }, { type: "Ready" }] } }, shape, { strict: false });
    expect(set.toFieldsV1()).toEqual({ "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:status": {}, "f:type": {} } } } });
  });
});

describe("withNamedFieldsAsMembers", () => {
  it.each([
    {
      name: "makes named objects with owned fields members",
      set: FieldSet.of(["f:spec", "f:limits", "f:cpu"]),
      want: { "f:spec": { ".": {}, "f:limits": { ".": {}, "f:cpu": {} } } },
    },
    { name: "leaves free map keys as they are", set: FieldSet.of(["f:spec", "f:extra", "f:deep", "f:x"]), want: { "f:spec": { ".": {}, "f:extra": { ".": {}, "f:deep": { "f:x": {} } } } } },
    {
      name: "descends into list items without making them members",
      set: FieldSet.of(["f:spec", "f:rules", 'k:{"name":"a"}', "f:action"]),
      want: { "f:spec": { ".": {}, "f:rules": { ".": {}, 'k:{"name":"a"}': { "f:action": {} } } } },
    },
  ])("$name", ({ set, want }) => {
    expect(withNamedFieldsAsMembers(set, shape).toFieldsV1()).toEqual(want);
  });
});
