import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";

describe("canonicalJson", () => {
  const cases: { name: string; value: unknown; want: string }[] = [
    { name: "sorts object keys at every depth", value: { b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }, want: '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}' },
    { name: "sorts keys by UTF-16 code units, as RFC 8785 does", value: { "\u00e9": 1, z: 2, A: 3, "\ud83d\ude00": 4 }, want: '{"A":3,"z":2,"\u00e9":1,"\ud83d\ude00":4}' },
    { name: "writes numbers as ECMAScript does (RFC 8785 examples)", value: [1e21, 1e-7, 0.1, -0, 333333333.3333333, 1e30], want: "[1e+21,1e-7,0.1,0,333333333.3333333,1e+30]" },
    { name: "escapes strings as JSON.stringify does", value: 'line\n"quoted"\u0001\u2028', want: '"line\\n\\"quoted\\"\\u0001\u2028"' },
    { name: "drops undefined members", value: { a: undefined, b: true }, want: '{"b":true}' },
    { name: "writes an empty object and array", value: { o: {}, a: [] }, want: '{"a":[],"o":{}}' },
  ];
  for (const c of cases) it(c.name, () => expect(canonicalJson(c.value)).toBe(c.want));

  it("refuses values JSON cannot carry", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/no canonical JSON form/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });

  it("agrees with JSON.stringify of the same value once keys are sorted", () => {
    const value = { seq: 7, details: { verb: "create", n: 2.5 }, actor: "user:alice" };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});
