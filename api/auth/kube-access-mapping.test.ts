import { describe, expect, it } from "vitest";
import { grammarPermission, isClawActionVerb, kubeRequests, nonResourceMethod, type ResourceAttributes } from "./kube-access-mapping.js";

const attrs = (verb: string, resource: string, more: Partial<ResourceAttributes> = {}): ResourceAttributes => ({ verb, group: "security.clawbernetes.com", resource, subresource: "", name: "", ...more });
const R = "/apis/security.clawbernetes.com/v1/roles";

describe("the request a Kubernetes verb stands for", () => {
  it.each([
    ["get names the object", attrs("get", "roles", { name: "a" }), [["GET", `${R}/a`]]],
    ["get without a name asks about any name", attrs("get", "roles"), [["GET", `${R}/*`]]],
    ["list is a GET of the collection", attrs("list", "roles"), [["GET", R]]],
    ["watch is a GET of the collection with watch=true", attrs("watch", "roles"), [["GET", `${R}?watch=true`]]],
    ["create is a POST to the collection", attrs("create", "roles"), [["POST", R]]],
    ["create of a subresource is a POST to the named object's subresource", attrs("create", "apikeys", { name: "k", subresource: "secret" }), [["POST", "/apis/security.clawbernetes.com/v1/apikeys/k/secret"]]],
    ["update is a PUT", attrs("update", "roles", { name: "a" }), [["PUT", `${R}/a`]]],
    ["patch is a PATCH", attrs("patch", "roles", { name: "a" }), [["PATCH", `${R}/a`]]],
    ["delete is a DELETE of the object", attrs("delete", "roles", { name: "a" }), [["DELETE", `${R}/a`]]],
    ["status update is a PUT of /status", attrs("update", "roles", { name: "a", subresource: "status" }), [["PUT", `${R}/a/status`]]],
    ["list of a subresource is no request", attrs("list", "roles", { subresource: "status" }), []],
    ["deletecollection is no request claw serves", attrs("deletecollection", "roles"), []],
    ["a claw action is no request", attrs("execute", "roles"), []],
    ["a name of .. is no request (a URL would fold it away)", attrs("get", "roles", { name: ".." }), []],
    ["a resource with a slash is no request", attrs("get", "roles/../users"), []],
  ] as const)("%s", (_name, given, want) => {
    expect(kubeRequests(given, "v1").map((r) => [r.method, r.url])).toEqual(want);
  });

  it("asks * as every served verb", () => {
    expect(kubeRequests(attrs("*", "roles", { name: "a" }), "v1").map((r) => r.verb)).toEqual(["get", "list", "watch", "create", "update", "patch", "delete"]);
  });
});

describe("the grammar permission of an empty-group attribute", () => {
  it.each([
    ["get", "workloads", "", "workloads:read"],
    ["list", "nodes", "", "nodes:list"],
    ["watch", "nodes", "", "nodes:list"],
    ["create", "secrets", "", "secrets:create"],
    ["update", "roles", "", "roles:update"],
    ["patch", "roles", "", "roles:update"],
    ["delete", "users", "", "users:delete"],
    ["deletecollection", "users", "", "users:delete"],
    ["execute", "workloads", "", "workloads:execute"],
    ["write", "metrics", "", "metrics:write"],
    ["admin", "audit", "", "audit:admin"],
    ["*", "*", "", "*:admin"],
    ["get", "roles", "status", "roles:read"],
    ["update", "roles", "status", "roles:admin"],
    ["patch", "certificates", "status", "certificates:admin"],
  ] as const)("%s %s%s is %s", (verb, resource, subresource, want) => {
    const mapped = grammarPermission({ verb, resource, subresource });
    expect(mapped.kind === "permission" ? `${mapped.resource}:${mapped.action}` : mapped.reason).toBe(want);
  });

  it.each([
    ["an unknown resource", { verb: "get", resource: "pods", subresource: "" }, /no resource "pods"/],
    ["an unknown verb", { verb: "escalate", resource: "roles", subresource: "" }, /no action for the verb "escalate"/],
    ["a subresource other than status", { verb: "create", resource: "apikeys", subresource: "secret" }, /no subresource "secret"/],
  ])("refuses %s, saying why", (_name, given, reason) => {
    const mapped = grammarPermission(given);
    expect(mapped.kind).toBe("unmapped");
    expect(mapped.kind === "unmapped" ? mapped.reason : "").toMatch(reason);
  });
});

describe("verbs that are claw actions and non-resource methods", () => {
  it.each([
    ["execute", true],
    ["admin", true],
    ["read", true],
    ["create", false],
    ["get", false],
  ] as const)("%s is a claw-only action: %s", (verb, want) => {
    expect(isClawActionVerb(verb)).toBe(want);
  });

  it.each([
    ["get", "GET"],
    ["post", "POST"],
    ["head", "HEAD"],
    ["connect", undefined],
  ] as const)("non-resource verb %s is method %s", (verb, want) => {
    expect(nonResourceMethod(verb)).toBe(want);
  });
});
