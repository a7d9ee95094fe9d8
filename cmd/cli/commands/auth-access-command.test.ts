import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { startAuthFixture, type AuthFixture } from "../testing/auth-fixture.js";

let fx: AuthFixture;
beforeEach(async () => {
  fx = await startAuthFixture({
    review: (spec, user) =>
      spec.resource === "nodes" && spec.action === "read"
        ? { allowed: true, reason: `granted by role "viewer" (*:read,list) of ${user}` }
        : { allowed: false, reason: `${user} lacks ${spec.resource}:${spec.action}` },
  });
});
afterEach(() => fx.dispose());

describe("claw auth can-i", () => {
  const cases: { name: string; args: string[]; env?: Record<string, string>; code: number; stdout: string; stderr?: RegExp }[] = [
    { name: "prints yes and exits 0 when allowed", args: ["read", "nodes"], code: ExitCode.Ok, stdout: "yes\n" },
    { name: "prints no and exits 1 when denied", args: ["delete", "nodes"], code: ExitCode.Failure, stdout: "no\n" },
    { name: "adds the reason on a second line with -v", args: ["delete", "secrets", "-v"], code: ExitCode.Failure, stdout: "no\nadmin lacks secrets:delete\n" },
    { name: "asks for another user with --as", args: ["read", "nodes", "--as", "alice", "-v"], code: ExitCode.Ok, stdout: 'yes\ngranted by role "viewer" (*:read,list) of alice\n' },
    { name: "explains a kubectl verb instead of asking", args: ["get", "nodes"], code: ExitCode.Usage, stdout: "", stderr: /"get" is a kubectl verb; the claw action is "read"/ },
    { name: "exits 4, not 1, when the credential is refused", args: ["read", "nodes"], env: { CLAWBERNETES_API_KEY: "clk_wrong" }, code: ExitCode.Unauthorized, stdout: "", stderr: /rejected the API key from CLAWBERNETES_API_KEY/ },
  ];
  it.each(cases)("$name", async ({ args, env, code, stdout, stderr }) => {
    const run = await fx.claw.run(["auth", "can-i", ...args], env ? { env } : {});
    expect(run.code).toBe(code);
    expect(run.stdout).toBe(stdout);
    if (stderr) expect(run.stderr).toMatch(stderr);
    else expect(run.stderr).toBe("");
  });

  it("sends the action, the resource and --as in an AccessReview", async () => {
    await fx.claw.run(["auth", "can-i", "execute", "workloads", "--as", "bob"]);
    const sent = fx.server.requests.find((r) => r.path.endsWith("/accessreviews"));
    expect(JSON.parse(sent?.body ?? "{}")).toEqual({ apiVersion: "auth.clawbernetes.com/v1", kind: "AccessReview", spec: { action: "execute", resource: "workloads", user: "bob" } });
  });
});

describe("claw auth whoami", () => {
  it("shows the user, the method, the roles and the permissions", async () => {
    const run = await fx.claw.run(["auth", "whoami"]);
    expect(run).toEqual({
      code: 0,
      stdout: "Username:     admin\nMethod:       API key\nRoles:        admin\nPermissions:  *:*\nExpires:      never\n",
      stderr: "",
    });
  });

  it("prints JSON with -o json", async () => {
    const run = await fx.claw.run(["auth", "whoami", "-o", "json"]);
    expect(JSON.parse(run.stdout)).toEqual({ username: "admin", method: "apikey", roles: ["admin"], permissions: ["*:*"] });
  });

  it("tells how to get a credential when none is configured", async () => {
    const bare = await startAuthFixture({ token: null });
    try {
      const run = await bare.claw.run(["auth", "whoami"]);
      expect(run.code).toBe(ExitCode.Unauthorized);
      expect(run.stderr).toContain("set CLAWBERNETES_API_KEY to an API key (clk_…) or CLAWBERNETES_TOKEN to a token from 'claw auth login'");
    } finally {
      await bare.dispose();
    }
  });
});
