import { describe, expect, it } from "vitest";
import { requestAttributes } from "./request-attributes.js";

const S = "/apis/security.clawbernetes.com/v1";
const attrs = (method: string, url: string, contentType?: string) => {
  const u = new URL(url, "http://x");
  return requestAttributes({ method, path: u.pathname, ...(contentType ? { contentType } : {}) });
};

describe("requestAttributes", () => {
  it.each([
    ["get is read", "GET", `${S}/roles/admin`, { resource: "roles", action: "read", name: "admin" }],
    ["list is list", "GET", `${S}/users`, { resource: "users", action: "list" }],
    ["watch is list", "GET", `${S}/apikeys?watch=true`, { resource: "apikeys", action: "list" }],
    ["create is create", "POST", `${S}/secrets`, { resource: "secrets", action: "create" }],
    ["update is update", "PUT", `${S}/roles/x`, { resource: "roles", action: "update" }],
    ["patch is update", "PATCH", `${S}/blockrules/x`, { resource: "blockrules", action: "update" }],
    ["delete is delete", "DELETE", `${S}/certificates/x`, { resource: "certificates", action: "delete" }],
    ["a status write is an update of the resource", "PUT", `${S}/apikeys/k/status`, { resource: "apikeys", action: "update", what: "apikeys/status" }],
    ["secretpolicies are their own resource", "GET", `${S}/secretpolicies`, { resource: "secretpolicies", action: "list" }],
    ["an unknown method fails closed", "OPTIONS", `${S}/roles`, { resource: "roles", action: "admin" }],
  ])("maps %s", (_name, method, url, want) => {
    expect(attrs(method, url)).toMatchObject({ kind: "permission", ...want });
  });

  it.each([
    ["/metrics", "GET", "/metrics", "/metrics"],
    ["leases of another group", "GET", "/apis/coordination.clawbernetes.com/v1/leases", "leases.coordination.clawbernetes.com"],
    ["an unknown plural", "GET", `${S}/pods`, "pods"],
    ["the core API's resources", "GET", "/api/v1/namespaces", "/api/v1/namespaces"],
    ["the root", "GET", "/", "/"],
    ["a path too deep", "GET", `${S}/roles/x/status/y`, `${S}/roles/x/status/y`],
  ])("asks for *:admin for %s", (_name, method, url, what) => {
    expect(attrs(method, url)).toEqual({ kind: "permission", resource: "*", action: "admin", what });
  });

  it.each(["/api", "/api/v1", "/apis", "/apis/security.clawbernetes.com", `${S}`, "/openapi/v2", "/openapi/v3", `/openapi/v3/apis/security.clawbernetes.com/v1`])(
    "needs only authentication for discovery at %s",
    (path) => {
      expect(attrs("GET", path).kind).toBe("authenticated");
    },
  );

  it("asks to check create for a server-side apply of a named object", () => {
    expect(attrs("PATCH", `${S}/roles/x`, "application/apply-patch+yaml; charset=utf-8")).toMatchObject({ action: "update", mayCreate: { plural: "roles", name: "x" } });
    expect(attrs("PATCH", `${S}/roles/x`, "application/merge-patch+json")).not.toHaveProperty("mayCreate");
  });

  it("decodes names", () => {
    expect(attrs("GET", `${S}/blockrules/10.0.0.0%2F8`)).toMatchObject({ name: "10.0.0.0/8" });
  });
});
