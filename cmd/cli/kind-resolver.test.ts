import { describe, expect, it } from "vitest";
import type { APIResourceList } from "../../api/client/api-types.js";
import { KindResolver, kindsOf, matchKind, qualifiedKind, qualifiedResource } from "./kind-resolver.js";

const discovery: APIResourceList = {
  kind: "APIResourceList",
  groupVersion: "security.clawbernetes.com/v1",
  resources: [
    { name: "roles", singularName: "role", namespaced: false, kind: "Role", verbs: ["get"], shortNames: ["rl"] },
    { name: "roles/status", singularName: "", namespaced: false, kind: "Role", verbs: ["get"] },
    { name: "secretpolicies", singularName: "secretpolicy", namespaced: false, kind: "SecretPolicy", verbs: ["get"], shortNames: ["sp"] },
    { name: "apikeys", singularName: "", namespaced: false, kind: "ApiKey", verbs: ["get"] },
  ],
};
const kinds = kindsOf(discovery);

describe("matchKind", () => {
  it.each([
    { name: "finds a kind by plural", input: "roles", want: "roles" },
    { name: "finds a kind by singular", input: "role", want: "roles" },
    { name: "finds a kind by short name", input: "rl", want: "roles" },
    { name: "finds a kind by Kind, ignoring case", input: "SecretPolicy", want: "secretpolicies" },
    { name: "finds a kind by plural.group", input: "roles.security.clawbernetes.com", want: "roles" },
    { name: "finds a kind by singular.version.group", input: "role.v1.security.clawbernetes.com", want: "roles" },
    { name: "derives the singular from the kind when discovery leaves it empty", input: "apikey", want: "apikeys" },
    { name: "does not match another group", input: "roles.rbac.authorization.k8s.io", want: undefined },
    { name: "does not match a subresource", input: "roles/status", want: undefined },
    { name: "does not match an unknown name", input: "pods", want: undefined },
  ])("$name", ({ input, want }) => {
    expect(matchKind(kinds, input)?.plural).toBe(want);
  });
});

describe("KindResolver", () => {
  it("fetches discovery once per invocation", async () => {
    let fetches = 0;
    const resolver = new KindResolver(async () => (fetches++, discovery));
    await resolver.resolve("roles");
    await resolver.resolve("sp");
    expect(fetches).toBe(1);
  });

  it("names the served kinds when a name is unknown", async () => {
    const resolver = new KindResolver(async () => discovery);
    await expect(resolver.resolve("pods")).rejects.toThrow('the server doesn\'t have a resource type "pods"; it serves: roles (rl), secretpolicies (sp), apikeys');
  });

  it("finds a manifest's kind by apiVersion and kind", async () => {
    const resolver = new KindResolver(async () => discovery);
    expect((await resolver.byApiVersionKind("security.clawbernetes.com/v1", "Role"))?.plural).toBe("roles");
    expect(await resolver.byApiVersionKind("apps/v1", "Role")).toBeUndefined();
  });

  it("qualifies kinds and resources as kubectl does", () => {
    const role = matchKind(kinds, "role")!;
    expect(qualifiedKind(role)).toBe("role.security.clawbernetes.com");
    expect(qualifiedResource(role)).toBe("roles.security.clawbernetes.com");
  });
});
