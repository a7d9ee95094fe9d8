import { describe, expect, it } from "vitest";
import { isApiError } from "./errors.js";
import { parseLabelSelector, parseLabelSelectorRequirements, structuredLabelSelector } from "./label-selector.js";

const labels = { env: "prod", team: "ml", tier: "3", "example.com/owner": "ana" };

describe("parseLabelSelector", () => {
  const cases: { name: string; selector: string; matches: boolean; on?: Record<string, string> | undefined }[] = [
    { name: "matches everything with an empty selector", selector: "", matches: true },
    { name: "matches objects without labels with an empty selector", selector: "", matches: true, on: undefined },
    { name: "matches a = requirement", selector: "env=prod", matches: true },
    { name: "matches a == requirement", selector: "env==prod", matches: true },
    { name: "rejects a different value", selector: "env=dev", matches: false },
    { name: "rejects = on a missing label", selector: "zone=a", matches: false },
    { name: "matches != on a different value", selector: "env!=dev", matches: true },
    { name: "matches != on a missing label, as Kubernetes does", selector: "zone!=a", matches: true },
    { name: "rejects != on the same value", selector: "env!=prod", matches: false },
    { name: "matches in when the value is listed", selector: "env in (dev, prod)", matches: true },
    { name: "rejects in when the value is not listed", selector: "env in (dev,qa)", matches: false },
    { name: "matches notin when the value is not listed", selector: "env notin (dev)", matches: true },
    { name: "matches notin on a missing label", selector: "zone notin (a)", matches: true },
    { name: "rejects notin when the value is listed", selector: "env notin (prod)", matches: false },
    { name: "matches existence", selector: "team", matches: true },
    { name: "rejects existence of a missing label", selector: "zone", matches: false },
    { name: "matches non-existence of a missing label", selector: "!zone", matches: true },
    { name: "rejects non-existence of a present label", selector: "!team", matches: false },
    { name: "requires every comma-joined requirement", selector: "env=prod,team=ml", matches: true },
    { name: "fails when one comma-joined requirement fails", selector: "env=prod,team=ops", matches: false },
    { name: "mixes forms and whitespace", selector: " env in (prod) , !zone,team ", matches: true },
    { name: "reads prefixed keys", selector: "example.com/owner=ana", matches: true },
    { name: "matches an empty value against an empty label", selector: "blank=", matches: true, on: { blank: "" } },
    { name: "reads an empty slot in a value list as the empty value", selector: "blank in (x,)", matches: true, on: { blank: "" } },
    { name: "compares integers with >", selector: "tier>2", matches: true },
    { name: "compares integers with <", selector: "tier<3", matches: false },
    { name: "rejects > on a non-integer label", selector: "env>1", matches: false },
  ];
  it.each(cases)("$name", (c) => {
    const on = "on" in c ? c.on : labels;
    expect(parseLabelSelector(c.selector)(on)).toBe(c.matches);
  });

  const invalid: { name: string; selector: string; message: string }[] = [
    { name: "refuses an empty value list", selector: "env in ()", message: "cannot be empty" },
    { name: "refuses in without parentheses", selector: "env in prod", message: "parenthesized list" },
    { name: "refuses an unclosed value list", selector: "env in (a,b", message: 'expected "," or ")"' },
    { name: "refuses two words without an operator", selector: "bad key", message: 'after the key "bad"' },
    { name: "refuses a trailing comma", selector: "env=prod,", message: "ends with a comma" },
    { name: "refuses a key with spaces inside the name part", selector: "a b=c", message: 'after the key "a"' },
    { name: "refuses an invalid key", selector: "-env=prod", message: "the key" },
    { name: "refuses an upper-case prefix", selector: "Example.com/a=b", message: "DNS subdomain" },
    { name: "refuses a value longer than 63 characters", selector: `env=${"x".repeat(64)}`, message: "at most 63" },
    { name: "refuses an invalid value", selector: "env=-prod", message: "the value" },
    { name: "refuses > without an integer", selector: "tier>high", message: "needs an integer" },
    { name: "refuses an operator without a key", selector: "=prod", message: "expected a label key" },
    { name: "refuses a value after !key", selector: "!env=prod", message: 'expected ","' },
  ];
  it.each(invalid)("$name", ({ selector, message }) => {
    try {
      parseLabelSelector(selector);
      expect.unreachable("the selector should be refused");
    } catch (err) {
      expect(isApiError(err) && err.code === 400 && err.reason === "BadRequest").toBe(true);
      expect((err as Error).message).toContain(`invalid label selector "${selector}"`);
      expect((err as Error).message).toContain(message);
    }
  });

  it("returns the requirements it parsed", () => {
    expect(parseLabelSelectorRequirements("a=b,c notin (d,e),!f,g>1")).toEqual([
      { key: "a", operator: "In", values: ["b"] },
      { key: "c", operator: "NotIn", values: ["d", "e"] },
      { key: "f", operator: "DoesNotExist", values: [] },
      { key: "g", operator: "Gt", values: ["1"] },
    ]);
  });
});

describe("structuredLabelSelector", () => {
  const cases = [
    { name: "matches everything when empty", selector: {}, matches: true },
    { name: "matches matchLabels", selector: { matchLabels: { env: "prod" } }, matches: true },
    { name: "combines matchLabels and matchExpressions", selector: { matchLabels: { env: "prod" }, matchExpressions: [{ key: "team", operator: "In", values: ["ops"] }] }, matches: false },
    { name: "understands Exists and DoesNotExist", selector: { matchExpressions: [{ key: "team", operator: "Exists" }, { key: "zone", operator: "DoesNotExist" }] }, matches: true },
    { name: "understands NotIn", selector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, matches: false },
  ];
  it.each(cases)("$name", ({ selector, matches }) => {
    expect(structuredLabelSelector(selector)(labels)).toBe(matches);
  });

  const invalid = [
    { name: "refuses an unknown operator", selector: { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, message: "not one of" },
    { name: "refuses In without values", selector: { matchExpressions: [{ key: "a", operator: "In" }] }, message: "at least one value" },
    { name: "refuses Exists with values", selector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, message: "takes no values" },
    { name: "refuses an invalid matchLabels value", selector: { matchLabels: { a: "-x" } }, message: 'matchLabels["a"]' },
  ];
  it.each(invalid)("$name", ({ selector, message }) => {
    expect(() => structuredLabelSelector(selector)).toThrow(message);
  });
});
