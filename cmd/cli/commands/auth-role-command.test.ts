import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { ExitCode } from "../exit-codes.js";
import { startAuthFixture, type AuthFixture } from "../testing/auth-fixture.js";

let fx: AuthFixture;
beforeEach(async () => {
  fx = await startAuthFixture({ forbid: ({ method, path, username }) => (username === "bob" && method === "GET" && path.includes("/users") ? "missing users:list" : undefined) });
});
afterEach(() => fx.dispose());

const user = (name: string, roles: string[]): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name }, spec: { roles } });

describe("claw auth role create", () => {
  it("creates the guide's ml-engineer role with four permissions", async () => {
    const run = await fx.claw.run(["auth", "role", "create", "ml-engineer", "--description", "ML team member", "--permissions", "workloads:*,nodes:read,nodes:list,secrets:read"]);
    expect(run).toEqual({ code: 0, stdout: "role.security.clawbernetes.com/ml-engineer created\n", stderr: "" });
    expect(fx.server.objects.roles.get("ml-engineer")?.spec).toEqual({ description: "ML team member", permissions: ["workloads:*", "nodes:read", "nodes:list", "secrets:read"] });
  });

  it("keeps a permission's own list of actions together", async () => {
    await fx.claw.run(["auth", "role", "create", "ops", "--permissions", "workloads:*,nodes:read,list"]);
    expect(fx.server.objects.roles.get("ops")?.spec).toEqual({ permissions: ["workloads:*", "nodes:read,list"] });
  });

  it("refuses a malformed permission before asking the server", async () => {
    const run = await fx.claw.run(["auth", "role", "create", "bad", "--permissions", "read,nodes:list"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toBe('error: --permissions: "read" has no resource; write resource:action, such as nodes:read\n');
    expect(fx.server.requests).toEqual([]);
  });
});

describe("claw auth role list and info", () => {
  beforeEach(() => {
    fx.server.put("roles", { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "operator" }, spec: { description: "Manage workloads and view nodes", permissions: ["workloads:*", "nodes:read,list"] }, status: { resolvedPermissions: ["nodes:list", "nodes:read", "workloads:*"], conditions: [{ type: "Ready", status: "True", reason: "Valid", message: "", lastTransitionTime: "2026-01-01T00:55:00Z" }] } });
    fx.server.put("roles", { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "admin" }, spec: { description: "Full cluster access", permissions: ["*:*"] } });
    fx.server.put("users", user("bob", ["operator"]));
    fx.server.put("users", user("alice", ["viewer", "operator"]));
  });

  it("lists roles with their permissions and descriptions", async () => {
    const run = await fx.claw.run(["auth", "role", "list"]);
    expect(run.stdout).toBe(
      ["NAME       PERMISSIONS                    DESCRIPTION                       AGE", "admin      *:*                            Full cluster access               5m", "operator   workloads:*, nodes:read,list   Manage workloads and view nodes   5m", ""].join("\n"),
    );
  });

  it("shows a role's permissions, what they expand to and the users holding it", async () => {
    const run = await fx.claw.run(["auth", "role", "info", "operator"]);
    expect(run.stdout).toBe(
      [
        "Name:         operator",
        "Description:  Manage workloads and view nodes",
        "Permissions:  workloads:*",
        "              nodes:read,list",
        "Expands to:   nodes:list",
        "              nodes:read",
        "              workloads:*",
        "Users:        alice",
        "              bob",
        "Created:      2026-01-01T00:55:00Z (5m ago)",
        "Ready:        True (Valid)",
        "",
      ].join("\n"),
    );
  });

  it("still shows the role when the caller may not list users", async () => {
    fx.server.put("apikeys", { apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name: "bob-key" }, spec: { displayName: "bob", owner: "bob", scopes: ["*:*"] } });
    const minted = await fx.claw.run(["auth", "apikey", "secret", "bob-key"]);
    const secret = /Secret:\s+(clk_\S+)/.exec(minted.stdout)?.[1];
    expect(secret).toBeDefined();
    const run = await fx.claw.run(["auth", "role", "info", "admin"], { env: { CLAWBERNETES_API_KEY: secret } });
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("Users:        <not allowed to list users>\n");
  });

  it("exits 6 for a role that does not exist", async () => {
    expect((await fx.claw.run(["auth", "role", "info", "ghost"])).code).toBe(ExitCode.NotFound);
  });
});
