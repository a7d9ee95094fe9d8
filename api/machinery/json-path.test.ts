import { describe, expect, it } from "vitest";
import { compileJsonPath, JsonPathError } from "./json-path.js";

const doc = {
  metadata: { name: "r", labels: { "app.kubernetes.io/name": "claw" }, annotations: { "a.b/c": "x" } },
  spec: { description: "d", count: 3, list: ["a", "b", "c"], nested: { deep: { value: true } }, empty: null },
  status: {
    conditions: [
      { type: "Issuing", status: "False", observedGeneration: 1 },
      { type: "Ready", status: "True", observedGeneration: 2 },
    ],
  },
};

describe("compileJsonPath", () => {
  const cases: { name: string; path: string; expected: unknown[] }[] = [
    { name: "reads a nested field", path: ".spec.description", expected: ["d"] },
    { name: "accepts the {…} form kubectl -o jsonpath uses", path: "{.spec.count}", expected: [3] },
    { name: "accepts a leading $", path: "$.spec.nested.deep.value", expected: [true] },
    { name: "returns nothing for a missing key, as kubectl does", path: ".spec.missing.deeper", expected: [] },
    { name: "returns an explicit null", path: ".spec.empty", expected: [null] },
    { name: "indexes an array", path: ".spec.list[1]", expected: ["b"] },
    { name: "indexes an array from the end", path: ".spec.list[-1]", expected: ["c"] },
    { name: "returns nothing past the end of an array", path: ".spec.list[7]", expected: [] },
    { name: "slices an array", path: ".spec.list[0:2]", expected: ["a", "b"] },
    { name: "expands every array item with [*]", path: ".spec.list[*]", expected: ["a", "b", "c"] },
    { name: "expands every object value with .*, by key", path: ".spec.nested.*", expected: [{ value: true }] },
    { name: "filters items by a string field", path: '.status.conditions[?(@.type=="Ready")].status', expected: ["True"] },
    { name: "filters with single quotes and spaces", path: ".status.conditions[?(@.type == 'Issuing')].status", expected: ["False"] },
    { name: "filters with !=", path: '.status.conditions[?(@.type!="Ready")].type', expected: ["Issuing"] },
    { name: "filters by a number comparison", path: ".status.conditions[?(@.observedGeneration>1)].type", expected: ["Ready"] },
    { name: "filters by existence", path: ".status.conditions[?(@.observedGeneration)].type", expected: ["Issuing", "Ready"] },
    { name: "returns nothing when no item passes the filter", path: '.status.conditions[?(@.type=="Gone")].status', expected: [] },
    { name: "reads a key with dots by bracket notation", path: ".metadata.labels['app.kubernetes.io/name']", expected: ["claw"] },
    { name: "reads a key with dots by escaping them", path: ".metadata.annotations.a\\.b/c", expected: ["x"] },
    { name: "returns nothing when indexing a non-array", path: ".spec.description[0]", expected: [] },
  ];
  it.each(cases)("$name", ({ path, expected }) => {
    expect(compileJsonPath(path)(doc)).toEqual(expected);
  });

  const invalid = [
    { name: "rejects recursive descent", path: "..spec", why: "recursive descent" },
    { name: "rejects unions", path: ".spec.list[0,1]", why: "unions" },
    { name: "rejects an unclosed bracket", path: ".spec.list[0", why: "never closed" },
    { name: "rejects a filter without @", path: '.items[?(type=="x")]', why: "must start with @" },
    { name: "rejects range templates", path: "{range .items[*]}", why: "not supported" },
    { name: "rejects a bare word", path: "spec", why: "unexpected" },
  ];
  it.each(invalid)("$name", ({ path, why }) => {
    expect(() => compileJsonPath(path)).toThrow(JsonPathError);
    expect(() => compileJsonPath(path)).toThrow(why);
  });
});
