import { describe, expect, it } from "vitest";
import { ACTIONS, parsePermission, permissionError, PermissionSet, RESOURCES } from "./permissions.js";

const set = (...texts: string[]) => PermissionSet.parse(texts);

describe("parsePermission", () => {
  it.each([
    ["workloads:*", { resource: "workloads", actions: ["*"] }],
    ["nodes:read,list", { resource: "nodes", actions: ["read", "list"] }],
    ["*:*", { resource: "*", actions: ["*"] }],
    ["*:read,list", { resource: "*", actions: ["read", "list"] }],
    ["metrics:write", { resource: "metrics", actions: ["write"] }],
    ["secretpolicies:admin", { resource: "secretpolicies", actions: ["admin"] }],
  ])("parses %s", (text, want) => {
    expect(parsePermission(text)).toEqual(want);
  });

  it.each([
    ["has no colon", "workloads", "is not resource:action"],
    ["names an unknown resource", "pods:read", 'unknown resource "pods"'],
    ["names an unknown action", "nodes:fly", 'unknown action "fly"'],
    ["has no action", "nodes:", "no action after the colon"],
    ["has an empty action in a list", "nodes:read,,list", 'unknown action "(empty)"'],
    ["has a trailing comma", "nodes:read,", 'unknown action "(empty)"'],
    ["is upper case", "Nodes:Read", 'unknown resource "Nodes"'],
    ["has spaces", "nodes: read", 'unknown action " read"'],
    ["has two colons", "nodes:read:list", 'unknown action "read:list"'],
    ["is empty", "", "is not resource:action"],
  ])("refuses a permission that %s", (_name, text, message) => {
    expect(permissionError(text)).toContain(message);
  });

  it("lists what is allowed when a resource is unknown", () => {
    expect(permissionError("pods:read")).toContain(`resources are *, ${RESOURCES.join(", ")}`);
  });

  it("accepts every resource with every action, as the CRD pattern does", () => {
    for (const r of ["*", ...RESOURCES]) for (const a of ["*", ...ACTIONS]) expect(permissionError(`${r}:${a}`)).toBeUndefined();
  });
});

describe("PermissionSet.allows", () => {
  it.each([
    ["*:* allows anything", ["*:*"], "secrets", "delete", true],
    ["*:* allows *:admin", ["*:*"], "*", "admin", true],
    ["a wildcard action allows each action", ["workloads:*"], "workloads", "execute", true],
    ["a wildcard action stays on its resource", ["workloads:*"], "nodes", "read", false],
    ["a list allows each action named", ["nodes:read,list"], "nodes", "list", true],
    ["a list allows no other action", ["nodes:read,list"], "nodes", "update", false],
    ["admin implies every action", ["users:admin"], "users", "delete", true],
    ["admin implies write", ["logs:admin"], "logs", "write", true],
    ["write does not imply update", ["metrics:write"], "metrics", "update", false],
    ["update does not imply write", ["metrics:update"], "metrics", "write", false],
    ["*:read allows read on one resource", ["*:read"], "audit", "read", true],
    ["*:read allows *:read", ["*:read"], "*", "read", true],
    ["one resource's read does not allow *:read", ["nodes:read"], "*", "read", false],
    ["every action but admin listed does not allow admin", ["nodes:create,read,list,update,delete,execute,write"], "nodes", "admin", false],
    ["every action listed allows *", ["nodes:create,read,list,update,delete,execute,write,admin"], "nodes", "*", true],
    ["the empty set allows nothing", [], "nodes", "read", false],
  ])("%s", (_name, texts, resource, action, want) => {
    expect(set(...texts).allows(resource as never, action as never)).toBe(want);
  });
});

describe("union and intersection", () => {
  it.each([
    ["a union holds both sides", set("nodes:read").union(set("nodes:list")), set("nodes:read,list")],
    ["a union with everything is everything", set("nodes:read").union(PermissionSet.all), set("*:*")],
    ["an intersection keeps what both hold", set("workloads:*", "nodes:read,list").intersect(set("workloads:read", "nodes:*")), set("workloads:read", "nodes:read,list")],
    ["an intersection with a key scope narrows a role", set("*:*").intersect(set("workloads:*", "nodes:read")), set("workloads:*", "nodes:read")],
    ["an intersection of disjoint sets is empty", set("nodes:read").intersect(set("secrets:read")), PermissionSet.empty],
    ["a scope wider than the role does not widen it", set("nodes:read").intersect(set("*:*")), set("nodes:read")],
    ["admin in a scope intersects as every action", set("users:read").intersect(set("users:admin")), set("users:read")],
  ])("%s", (_name, got, want) => {
    expect(got.pairs()).toEqual(want.pairs());
    expect(got.equals(want)).toBe(true);
  });

  it("subtracts pair by pair, leaving admin as a bare bit", () => {
    expect(set("workloads:*").minus(set("workloads:read,list")).pairs()).toEqual(
      ["admin", "create", "delete", "execute", "update", "write"].map((a) => `workloads:${a}`),
    );
    expect(set("*:read").minus(set("*:*")).isEmpty()).toBe(true);
  });

  it("covers a subset and not a superset", () => {
    expect(set("*:*").covers(set("workloads:*"))).toBe(true);
    expect(set("workloads:*").covers(set("*:*"))).toBe(false);
    expect(set("workloads:read").covers(PermissionSet.empty)).toBe(true);
  });
});

describe("rendering", () => {
  it.each([
    ["everything", ["*:*"], ["*:*"]],
    ["the viewer role", ["*:read,list"], ["*:read,list"]],
    ["the operator role", ["workloads:*", "nodes:read,list"], ["nodes:read,list", "workloads:*"]],
    ["viewer and operator together", ["*:read,list", "workloads:*"], ["*:read,list", "workloads:*"]],
    ["admin as a wildcard", ["users:admin"], ["users:*"]],
    ["nothing", [], []],
  ])("writes %s compactly", (_name, texts, want) => {
    expect(set(...texts).toStrings()).toEqual(want);
  });

  it("lists single pairs, sorted", () => {
    expect(set("nodes:read,list", "audit:read").pairs()).toEqual(["audit:read", "nodes:list", "nodes:read"]);
    expect(set("*:*").pairs()).toHaveLength(RESOURCES.length * ACTIONS.length);
  });

  it("round-trips through its compact form", () => {
    for (const texts of [["*:read,list", "workloads:*"], ["nodes:read", "secrets:delete", "molt:execute"], ["*:*"]]) {
      const s = set(...texts);
      expect(set(...s.toStrings()).equals(s)).toBe(true);
    }
  });
});
