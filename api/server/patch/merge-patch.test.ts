import { describe, expect, it } from "vitest";
import { isApiError } from "../../machinery/errors.js";
import { applyMergePatch, assertMergePatchObject, createMergePatch } from "./merge-patch.js";

// The examples of RFC 7386 appendix A, plus the cases a Kubernetes object meets.
const applyCases: { name: string; target: unknown; patch: unknown; want: unknown }[] = [
  { name: "replaces a changed value", target: { a: "b" }, patch: { a: "c" }, want: { a: "c" } },
  { name: "adds a new key", target: { a: "b" }, patch: { b: "c" }, want: { a: "b", b: "c" } },
  { name: "removes a key set to null", target: { a: "b" }, patch: { a: null }, want: {} },
  { name: "removes one key and keeps the others", target: { a: "b", b: "c" }, patch: { a: null }, want: { b: "c" } },
  { name: "replaces an array whole", target: { a: ["b"] }, patch: { a: "c" }, want: { a: "c" } },
  { name: "replaces a value with an array", target: { a: "c" }, patch: { a: ["b"] }, want: { a: ["b"] } },
  { name: "merges nested objects", target: { a: { b: "c" } }, patch: { a: { b: "d", c: null } }, want: { a: { b: "d" } } },
  { name: "replaces an array of objects whole", target: { a: [{ b: "c" }] }, patch: { a: [1] }, want: { a: [1] } },
  { name: "replaces a whole array with another", target: ["a", "b"], patch: ["c", "d"], want: ["c", "d"] },
  { name: "turns an array target into an object", target: ["a"], patch: { a: "b" }, want: { a: "b" } },
  { name: "replaces with a scalar patch", target: { a: "foo" }, patch: "bar", want: "bar" },
  { name: "keeps null inside arrays", target: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
  { name: "returns null for a null patch", target: { a: "foo" }, patch: null, want: null },
  { name: "drops nulls inside a new nested object", target: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
  { name: "creates nested objects under a scalar", target: { a: 1 }, patch: { a: { b: 2 } }, want: { a: { b: 2 } } },
  { name: "removing a missing key changes nothing", target: { a: 1 }, patch: { z: null }, want: { a: 1 } },
  {
    name: "patches the labels of a Kubernetes object",
    target: { metadata: { name: "r", labels: { team: "a", tier: "x" } }, spec: { description: "d" } },
    patch: { metadata: { labels: { team: "b", tier: null } } },
    want: { metadata: { name: "r", labels: { team: "b" } }, spec: { description: "d" } },
  },
];

const createCases: { name: string; from: unknown; to: unknown; want: unknown }[] = [
  { name: "is empty when nothing changed", from: { a: { b: [1] } }, to: { a: { b: [1] } }, want: {} },
  { name: "sets a changed value", from: { a: 1 }, to: { a: 2 }, want: { a: 2 } },
  { name: "removes a missing key with null", from: { a: 1, b: 2 }, to: { a: 1 }, want: { b: null } },
  { name: "recurses into nested objects", from: { s: { x: 1, y: 2 } }, to: { s: { x: 1, y: 3, z: 4 } }, want: { s: { y: 3, z: 4 } } },
  { name: "sends a changed array whole", from: { l: [1, 2] }, to: { l: [1, 3] }, want: { l: [1, 3] } },
  { name: "replaces a non-object document whole", from: [1], to: [2], want: [2] },
];

describe("applyMergePatch", () => {
  it.each(applyCases)("$name", ({ target, patch, want }) => {
    const before = structuredClone({ target, patch });
    expect(applyMergePatch(target, patch)).toEqual(want);
    expect({ target, patch }).toEqual(before);
  });

  it("stores a __proto__ key as data instead of changing the prototype", () => {
    const patched = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(patched)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(patched)).toEqual(["__proto__"]);
  });

  it("shares no objects with its inputs", () => {
    const patch = { spec: { tags: ["a"] } };
    const patched = applyMergePatch({}, patch) as { spec: { tags: string[] } };
    patched.spec.tags.push("b");
    expect(patch.spec.tags).toEqual(["a"]);
  });
});

describe("createMergePatch", () => {
  it.each(createCases)("$name", ({ from, to, want }) => {
    expect(createMergePatch(from, to)).toEqual(want);
  });

  it.each(createCases)("round-trips: applying the patch of $name gives the target", ({ from, to }) => {
    expect(applyMergePatch(from, createMergePatch(from, to))).toEqual(to);
  });
});

describe("assertMergePatchObject", () => {
  it.each([
    { name: "rejects an array", patch: [1], says: "got an array" },
    { name: "rejects null", patch: null, says: "got null" },
    { name: "rejects a string", patch: "x", says: "got a string" },
  ])("$name with 400", ({ patch, says }) => {
    let caught: unknown;
    try {
      assertMergePatchObject(patch);
    } catch (err) {
      caught = err;
    }
    expect(isApiError(caught) && caught.code).toBe(400);
    expect((caught as Error).message).toContain(says);
  });

  it("accepts an object", () => {
    expect(() => assertMergePatchObject({ spec: {} })).not.toThrow();
  });
});
