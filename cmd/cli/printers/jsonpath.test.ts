import { describe, expect, it } from "vitest";
import { JsonPathTemplate } from "./jsonpath.js";

const role = (name: string, ready: string) => ({
  metadata: { name, labels: { "security.clawbernetes.com/apply-set": "prod", team: "ml" } },
  spec: { permissions: ["nodes:read", "workloads:*"], priority: name === "a" ? 1 : 5 },
  status: { conditions: [{ type: "Synced", status: "True" }, { type: "Ready", status: ready }] },
});
const LIST = { kind: "List", items: [role("a", "True"), role("b", "False")] };

describe("JsonPathTemplate", () => {
  it.each([
    { name: "prints a field of one object", template: "{.metadata.name}", data: role("a", "True"), want: "a" },
    { name: "prints every item's field, joined by spaces", template: "{.items[*].metadata.name}", data: LIST, want: "a b" },
    { name: "picks an item by index, and from the end", template: "{.items[0].metadata.name} {.items[-1].metadata.name}", data: LIST, want: "a b" },
    { name: "repeats a body for each item with range and end", template: '{range .items[*]}{.metadata.name}{"\\t"}{.spec.permissions[0]}{"\\n"}{end}', data: LIST, want: "a\tnodes:read\nb\tnodes:read\n" },
    { name: "keeps text around expressions", template: "name={.metadata.name};", data: role("a", "True"), want: "name=a;" },
    { name: "filters a list by a field", template: '{.status.conditions[?(@.type=="Ready")].status}', data: role("b", "False"), want: "False" },
    { name: "filters items by a number", template: "{.items[?(@.spec.priority>2)].metadata.name}", data: LIST, want: "b" },
    { name: "reads a key with dots in brackets or escaped", template: "{.metadata.labels['security.clawbernetes.com/apply-set']} {.metadata.labels.security\\.clawbernetes\\.com/apply-set}", data: role("a", "True"), want: "prod prod" },
    { name: "finds a name at any depth with ..", template: "{..name}", data: LIST, want: "a b" },
    { name: "prints maps and lists as JSON", template: "{.spec.permissions}", data: role("a", "True"), want: '["nodes:read","workloads:*"]' },
    { name: "prints nothing for a path that is not there", template: "{.metadata.missing}", data: role("a", "True"), want: "" },
    { name: "accepts a leading $", template: "{$.metadata.name}", data: role("a", "True"), want: "a" },
  ])("$name", ({ template, data, want }) => {
    expect(JsonPathTemplate.parse(template).execute(data)).toBe(want);
  });

  it.each([
    { name: "refuses an unclosed brace", template: "{.metadata.name", error: /unclosed \{/ },
    { name: "refuses range without end", template: "{range .items[*]}{.metadata.name}", error: /without \{end\}/ },
    { name: "refuses end without range", template: "{.a}{end}", error: /\{end\} without \{range\}/ },
    { name: "refuses a bracket it does not know", template: "{.items[1:2]}", error: /unsupported \[1:2\]/ },
  ])("$name", ({ template, error }) => {
    expect(() => JsonPathTemplate.parse(template)).toThrow(error);
  });
});
