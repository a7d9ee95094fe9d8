import { describe, expect, it } from "vitest";
import { parseWarningHeaders, warningTexts } from "./warning-header.js";

describe("parseWarningHeaders", () => {
  it.each([
    { name: "reads kube's unknown-field warning, unescaping its quotes", values: ['299 - "unknown field \\"spec.permisions\\""'], want: [{ code: 299, agent: "-", text: 'unknown field "spec.permisions"' }] },
    {
      name: "reads several comma-separated warnings in one header",
      values: ['299 - "unknown field \\"spec.a\\"", 299 - "unknown field \\"spec.b\\""'],
      want: [
        { code: 299, agent: "-", text: 'unknown field "spec.a"' },
        { code: 299, agent: "-", text: 'unknown field "spec.b"' },
      ],
    },
    { name: "keeps a comma inside the text", values: ['299 - "a, b"'], want: [{ code: 299, agent: "-", text: "a, b" }] },
    { name: "skips the optional date", values: ['299 api "x" "Sat, 25 Aug 2012 23:34:45 GMT"'], want: [{ code: 299, agent: "api", text: "x" }] },
    {
      name: "reads the warnings of every header value",
      values: ['299 - "first"', '199 - "second"'],
      want: [
        { code: 299, agent: "-", text: "first" },
        { code: 199, agent: "-", text: "second" },
      ],
    },
    { name: "stops a header value at a malformed warning and goes on with the next", values: ['299 - "ok", junk', 'no code', '299 - "next"'], want: [{ code: 299, agent: "-", text: "ok" }, { code: 299, agent: "-", text: "next" }] },
    { name: "drops an unterminated text", values: ['299 - "open'], want: [] },
    { name: "reads nothing from no header", values: undefined, want: [] },
  ])("$name", ({ values, want }) => {
    expect(parseWarningHeaders(values)).toEqual(want);
  });
});

describe("warningTexts", () => {
  it("keeps only code 299, the warnings kubectl shows", () => {
    expect(warningTexts('299 - "shown", 199 - "not shown"')).toEqual(["shown"]);
  });
});
