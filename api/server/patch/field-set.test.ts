import { describe, expect, it } from "vitest";
import { FieldSet } from "./field-set.js";
import { describePath, fieldReference } from "./path-element.js";

const spec = ["f:spec"];
const desc = ["f:spec", "f:description"];
const ready = ["f:status", "f:conditions", 'k:{"type":"Ready"}'];
const readyStatus = [...ready, "f:status"];

const fieldsV1Cases: { name: string; paths: string[][]; fieldsV1: unknown }[] = [
  { name: "writes a leaf as an empty object", paths: [desc], fieldsV1: { "f:spec": { "f:description": {} } } },
  { name: "writes a member with children with a dot", paths: [spec, desc], fieldsV1: { "f:spec": { ".": {}, "f:description": {} } } },
  {
    name: "writes map-keyed list items with k: and their fields",
    paths: [ready, readyStatus],
    fieldsV1: { "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:status": {} } } } },
  },
  { name: "writes set items with v:", paths: [["f:spec", "f:permissions", 'v:"nodes:read"']], fieldsV1: { "f:spec": { "f:permissions": { 'v:"nodes:read"': {} } } } },
  { name: "is empty for no paths", paths: [], fieldsV1: {} },
];

const ops: { name: string; a: string[][]; b: string[][]; union: string[][]; difference: string[][]; intersection: string[][] }[] = [
  { name: "disjoint sets", a: [desc], b: [readyStatus], union: [desc, readyStatus], difference: [desc], intersection: [] },
  { name: "a set and itself", a: [desc, spec], b: [desc, spec], union: [spec, desc], difference: [], intersection: [spec, desc] },
  { name: "a member and a path below it", a: [spec], b: [desc], union: [spec, desc], difference: [spec], intersection: [] },
];

describe("FieldSet", () => {
  it.each(fieldsV1Cases)("$name", ({ paths, fieldsV1 }) => {
    const set = FieldSet.of(...paths);
    expect(set.toFieldsV1()).toEqual(fieldsV1);
    expect(FieldSet.fromFieldsV1(fieldsV1).paths()).toEqual(set.paths());
  });

  it.each(ops)("computes union, difference and intersection of $name", ({ a, b, union, difference, intersection }) => {
    const [sa, sb] = [FieldSet.of(...a), FieldSet.of(...b)];
    expect(sa.union(sb).paths()).toEqual(FieldSet.of(...union).paths());
    expect(sa.difference(sb).paths()).toEqual(FieldSet.of(...difference).paths());
    expect(sa.intersection(sb).paths()).toEqual(FieldSet.of(...intersection).paths());
    expect(sa.paths()).toEqual(FieldSet.of(...a).paths());
  });

  it("lists a level's members before what is below its children, fields before keyed items", () => {
    const set = FieldSet.of(["f:spec", "k:{\"name\":\"a\"}"], ["f:spec", "f:z"], ["f:a", "f:b"], ["f:m"]);
    expect(set.paths().map(describePath)).toEqual([".m", ".a.b", ".spec.z", '.spec[name="a"]']);
  });

  it.each([
    { name: "a field", path: desc, printed: ".spec.description" },
    { name: "a keyed item", path: readyStatus, printed: '.status.conditions[type="Ready"].status' },
    { name: "an item with two keys", path: ["f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}'], printed: '.spec.ports[port=80,protocol="TCP"]' },
    { name: "a set value", path: ["f:metadata", "f:finalizers", 'v:"claw/x"'], printed: '.metadata.finalizers[="claw/x"]' },
    { name: "an index", path: ["f:spec", "i:3"], printed: ".spec[3]" },
  ])("prints $name as kube does", ({ path, printed }) => {
    expect(describePath(path)).toBe(printed);
    expect(fieldReference(path)).toBe(printed.slice(1));
  });

  it.each([
    { name: "a non-object", fieldsV1: [] },
    { name: "an unknown prefix", fieldsV1: { "x:spec": {} } },
    { name: "a non-object entry", fieldsV1: { "f:spec": true } },
  ])("refuses FieldsV1 with $name", ({ fieldsV1 }) => {
    expect(() => FieldSet.fromFieldsV1(fieldsV1)).toThrow(/fieldsV1/);
  });

  it("tells whether a path or anything under it is in the set", () => {
    const set = FieldSet.of(readyStatus);
    expect([set.touches(["f:status"]), set.touches(ready), set.touches(["f:spec"]), set.has(ready), set.has(readyStatus)]).toEqual([true, true, false, false, true]);
  });
});
