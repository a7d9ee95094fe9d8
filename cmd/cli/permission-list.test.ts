import { describe, expect, it } from "vitest";
import { UsageError } from "./cli-errors.js";
import { formatPermissions, parsePermissionList } from "./permission-list.js";

describe("parsePermissionList", () => {
  const ok: { name: string; input: string | string[]; want: string[] }[] = [
    { name: "splits the guide's role example into four permissions", input: "workloads:*,nodes:read,nodes:list,secrets:read", want: ["workloads:*", "nodes:read", "nodes:list", "secrets:read"] },
    { name: "lets an item without ':' continue the previous permission's actions", input: "nodes:read,list", want: ["nodes:read,list"] },
    { name: "continues only the permission just before", input: "workloads:*,nodes:read,list,secrets:read", want: ["workloads:*", "nodes:read,list", "secrets:read"] },
    { name: "keeps the guide's scopes example", input: "workloads:*,nodes:read", want: ["workloads:*", "nodes:read"] },
    { name: "accepts *:* and *:read,list", input: "*:*,*:read,list", want: ["*:*", "*:read,list"] },
    { name: "trims spaces and skips empty items", input: " workloads:* , ,nodes:read, ", want: ["workloads:*", "nodes:read"] },
    { name: "joins repeated flags in order", input: ["nodes:read", "secrets:read,list"], want: ["nodes:read", "secrets:read,list"] },
    { name: "drops exact duplicates, and duplicate actions inside one", input: "nodes:read,nodes:read,logs:write,write", want: ["nodes:read", "logs:write"] },
  ];
  it.each(ok)("$name", ({ input, want }) => expect(parsePermissionList(input)).toEqual(want));

  const bad: { name: string; input: string; want: RegExp }[] = [
    { name: "refuses an action before any resource", input: "read,nodes:list", want: /"read" has no resource; write resource:action, such as nodes:read/ },
    { name: "refuses an empty resource", input: ":read", want: /":read" has no resource/ },
    { name: "refuses an empty action", input: "nodes:", want: /"nodes:" has no action/ },
    { name: "refuses two colons in one item", input: "nodes:read:list", want: /more than one ':'/ },
    { name: "refuses upper-case words", input: "Nodes:read", want: /the resource "Nodes" in "Nodes:read" must be \*/ },
    { name: "refuses a list with no permission at all", input: " , ", want: /needs at least one permission/ },
  ];
  it.each(bad)("$name", ({ input, want }) => {
    expect(() => parsePermissionList(input)).toThrow(UsageError);
    expect(() => parsePermissionList(input)).toThrow(want);
  });

  it("names the flag it parsed in its messages", () => {
    expect(() => parsePermissionList("read", "--scopes")).toThrow(/^--scopes: /);
  });
});

describe("formatPermissions", () => {
  it.each([
    { name: "joins with a comma and a space, as the guide shows scopes", input: ["workloads:*", "nodes:read"], want: "workloads:*, nodes:read" },
    { name: "says <none> for no permission", input: [], want: "<none>" },
  ])("$name", ({ input, want }) => expect(formatPermissions(input)).toBe(want));
});
