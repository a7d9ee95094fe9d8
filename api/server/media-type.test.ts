import { describe, expect, it } from "vitest";
import { negotiate, parseAccept, type MediaOffer } from "./media-type.js";

describe("parseAccept", () => {
  const cases: { name: string; header: string | undefined; expected: string[] }[] = [
    { name: "treats a missing header as accepting anything", header: undefined, expected: ["*/*"] },
    { name: "treats an empty header as accepting anything", header: "  ", expected: ["*/*"] },
    { name: "keeps the order sent when q-values tie", header: "application/json;as=Table, application/json", expected: ["application/json;as=Table", "application/json"] },
    { name: "puts higher q-values first", header: "application/yaml;q=0.5, application/json", expected: ["application/json", "application/yaml"] },
    { name: "puts concrete types before wildcards of the same q", header: "*/*, text/*, text/plain", expected: ["text/plain", "text/*", "*/*"] },
    { name: "drops ranges with q=0", header: "application/json;q=0, text/plain", expected: ["text/plain"] },
    { name: "skips malformed ranges", header: "garbage, application/json;q=2, text/plain", expected: ["text/plain"] },
    { name: "lower-cases types and parameter names but keeps parameter values", header: "Application/JSON;AS=Table", expected: ["application/json;as=Table"] },
    { name: "unquotes quoted parameter values, commas included", header: 'text/plain;x="a,b"', expected: ["text/plain;x=a,b"] },
  ];
  it.each(cases)("$name", ({ header, expected }) => {
    const shown = parseAccept(header).map((r) => [`${r.type}/${r.subtype}`, ...Object.entries(r.params).map(([k, v]) => `${k}=${v}`)].join(";"));
    expect(shown).toEqual(expected);
  });
});

describe("negotiate", () => {
  const offers: MediaOffer<string>[] = [
    { type: "application", subtype: "json", params: { as: "Table", v: "v1", g: "meta.k8s.io" }, value: "table" },
    { type: "application", subtype: "json", value: "json" },
  ];
  const cases: { name: string; accept: string | undefined; expected: string | undefined }[] = [
    { name: "gives the plain offer to a plain range", accept: "application/json", expected: "json" },
    { name: "gives the parameterized offer when every parameter matches, in any order", accept: "application/json;g=meta.k8s.io;as=Table;v=v1", expected: "table" },
    { name: "skips a range whose parameters match no offer", accept: "application/json;as=Table;v=v9;g=meta.k8s.io, application/json", expected: "json" },
    { name: "ignores charset, pretty and profile", accept: "application/json;charset=utf-8", expected: "json" },
    { name: "gives the first offer that has no parameters to a wildcard", accept: "*/*", expected: "json" },
    { name: "gives undefined when nothing offered is acceptable", accept: "application/vnd.kubernetes.protobuf", expected: undefined },
    { name: "honours the client's preference over the server's order", accept: "application/json;q=0.9, application/json;as=Table;v=v1;g=meta.k8s.io", expected: "table" },
  ];
  it.each(cases)("$name", ({ accept, expected }) => {
    expect(negotiate(accept, offers)).toBe(expected);
  });
});
