// `claw auth` end to end against the real API server (test/envtest.ts): the identity endpoints, RBAC,
// and the CLI's own promises (the box, token storage, no lost updates, exit codes).

import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import { buildKubeconfig, readKubeconfigFile, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness, type HarnessOptions } from "../testing/cli-harness.js";

const HOUR = 3_600_000;
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: CliHarness;
let alice: CliHarness;

const configAt = async (claw: CliHarness, token?: string) => {
  await mkdir(join(claw.homeDir, ".claw"), { recursive: true });
  await writeFile(join(claw.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, ...(token ? { token } : {}) })), { mode: 0o600 });
};
/** The token of the current context's user in ~/.claw/config: what the next command sends. */
const currentToken = async (claw: CliHarness) => {
  const config = await readKubeconfigFile(join(claw.homeDir, ".claw", "config"));
  const user = config?.contexts.find((c) => c.name === config["current-context"])?.context.user;
  return config?.users.find((u) => u.name === user)?.user.token;
};
const secretIn = (box: string) => /^Secret:\s+(clk_\S+)  ← SAVE THIS!$/m.exec(box)?.[1] ?? "";
const keyIdIn = (box: string) => /^Key ID:\s+(ak_\S+)$/m.exec(box)?.[1] ?? "";
const asKey = (secret: string): HarnessOptions => ({ env: { CLAWBERNETES_API_KEY: secret } });

beforeAll(async () => {
  env = await startEnvTest({ clock });
  admin = await CliHarness.create(clock);
  alice = await CliHarness.create(clock);
  await configAt(admin, env.token);
  await configAt(alice);
});
afterAll(async () => {
  await admin?.dispose();
  await alice?.dispose();
  await env?.stop();
});

describe("claw auth against the real server", () => {
  it("creates a role, and a user holding it with a password", async () => {
    const role = await admin.run(["auth", "role", "create", "ml-engineer", "--description", "ML team member", "--permissions", "workloads:*,nodes:read,list,secrets:read"]);
    expect(role).toEqual({ code: 0, stdout: "role.security.clawbernetes.com/ml-engineer created\n", stderr: "" });
    const user = await admin.run(["auth", "user", "create", "alice", "--email", "alice@example.com", "--roles", "operator,ml-engineer", "--password-stdin"], { stdin: "correct horse battery\n" });
    expect(user).toEqual({ code: 0, stdout: 'user.security.clawbernetes.com/alice created\npassword set for user "alice"\n', stderr: "" });
    const info = await admin.run(["auth", "role", "info", "ml-engineer"]);
    expect(info.stdout).toMatch(/^Permissions:  workloads:\*\n {14}nodes:read,list\n {14}secrets:read\n/m);
    expect(info.stdout).toContain("Users:        alice\n");
    expect((await admin.run(["auth", "user", "list"])).stdout).toMatch(/^alice\s+alice@example\.com\s+operator,ml-engineer\s+/m);
  });

  it("loses no role when several assign-role commands run at once", async () => {
    const roles = ["r1", "r2", "r3", "r4", "r5", "r6"];
    for (const r of roles) expect((await admin.run(["auth", "role", "create", r, "--permissions", "nodes:read"])).code).toBe(0);
    const runs = await Promise.all(roles.map((r) => admin.run(["auth", "user", "assign-role", "alice", r])));
    expect(runs.map((r) => r.code)).toEqual(roles.map(() => 0));
    const user = (await (await env.request("/apis/security.clawbernetes.com/v1/users/alice")).json()) as { spec: { roles: string[] } };
    expect([...user.spec.roles].sort()).toEqual(["ml-engineer", "operator", ...roles].sort());
    await Promise.all(roles.map((r) => admin.run(["auth", "user", "remove-role", "alice", r])));
    const after = (await (await env.request("/apis/security.clawbernetes.com/v1/users/alice")).json()) as { spec: { roles: string[] } };
    expect(after.spec.roles).toEqual(["operator", "ml-engineer"]);
  });

  it("logs in without echo, stores the token at mode 0600, and never prints it", async () => {
    const run = await alice.run(["auth", "login", "--username", "alice", "--password-stdin"], { stdin: "correct horse battery\n" });
    expect(run.code).toBe(ExitCode.Ok);
    const token = (await currentToken(alice)) ?? "";
    expect(token).toMatch(/^eyJ/);
    expect(run.stdout + run.stderr).not.toContain(token);
    expect((await stat(join(alice.homeDir, ".claw", "config"))).mode & 0o777).toBe(0o600);
    const me = await alice.run(["auth", "whoami", "-o", "json"]);
    expect(JSON.parse(me.stdout)).toMatchObject({ username: "alice", method: "jwt", roles: ["operator", "ml-engineer"] });
  });

  it("refuses a wrong password with exit 4", async () => {
    const run = await alice.run(["auth", "login", "--username", "alice", "--password-stdin", "--no-store", "--print-token"], { stdin: "wrong password\n" });
    expect(run.code).toBe(ExitCode.Unauthorized);
    expect(run.stdout).toBe("");
  });

  it.each([
    { name: "answers yes for an action a role of alice grants", args: ["delete", "workloads"], code: 0, stdout: "yes\n" },
    { name: "answers no, exit 1, for one none grants", args: ["delete", "nodes"], code: 1, stdout: "no\n" },
  ])("can-i $name", async ({ args, code, stdout }) => {
    const run = await alice.run(["auth", "can-i", ...args]);
    expect(run).toMatchObject({ code, stdout });
  });

  it("answers can-i --as for the admin, with the reason on a second line", async () => {
    const run = await admin.run(["auth", "can-i", "read", "secrets", "--as", "alice", "-v"]);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe("yes");
    expect(run.stdout).toBe('yes\nthe role "ml-engineer" grants secrets:read\n');
  });

  it("shows the server's 403 naming the missing permission, with exit 5", async () => {
    const run = await alice.run(["auth", "role", "create", "sneaky", "--permissions", "*:*"]);
    expect(run.code).toBe(ExitCode.Forbidden);
    expect(run.stderr).toMatch(/^Error from server \(Forbidden\): user "alice" cannot create roles: needs roles:create/);
  });

  it("refreshes only inside the refresh window, then replaces the stored token", async () => {
    const before = await currentToken(alice);
    const early = await alice.run(["auth", "refresh"]);
    expect(early.code).toBe(ExitCode.Usage);
    expect(early.stderr).toContain("can be refreshed only in the last 1 h");
    clock.step(23.5 * HOUR);
    const run = await alice.run(["auth", "refresh"]);
    expect(run.code).toBe(ExitCode.Ok);
    const after = await currentToken(alice);
    expect(after).toMatch(/^eyJ/);
    expect(after).not.toBe(before);
    expect((await alice.run(["auth", "whoami"])).code).toBe(0);
  });

  it("logs out: the token is revoked on the server and its context removed from the config", async () => {
    const path = join(alice.homeDir, ".claw", "config");
    const token = (await currentToken(alice)) ?? "";
    const run = await alice.run(["auth", "logout"]);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`Logged out: the server revoked it, and its context "alice@claw" was removed from ${path}; the current context is "claw" again.\n`) });
    expect(await currentToken(alice)).toBeUndefined();
    const reused = await alice.run(["auth", "whoami"], { env: { CLAWBERNETES_TOKEN: token } });
    expect(reused.code).toBe(ExitCode.Unauthorized);
    expect(reused.stderr).toContain("log in again with 'claw auth login --username NAME'");
  });

  it("creates an API key with the guide's box; list shows no secret; rotate and revoke stop old secrets at once", async () => {
    const created = await admin.run(["auth", "apikey", "create", "--name", "CI/CD Pipeline", "--scopes", "workloads:*,nodes:read", "--expires", "90d", "--owner", "alice"]);
    expect(created.code).toBe(ExitCode.Ok);
    const lines = created.stdout.split("\n");
    expect(lines[0]).toBe("API Key created successfully");
    expect(lines[1]).toBe("═".repeat(64));
    expect(lines.slice(4, 9)).toEqual(["Name:       CI/CD Pipeline", "Scopes:     workloads:*, nodes:read", "Expires:    2026-05-31T07:30:00Z", "═".repeat(64), "WARNING: The secret will not be shown again!"]);
    const keyId = keyIdIn(created.stdout);
    const secret = secretIn(created.stdout);
    expect(keyId).toMatch(/^ak_[0-9A-Za-z]{20}$/);
    expect(secret).toMatch(new RegExp(`^clk_${keyId.slice(3)}[0-9A-Za-z]{32}$`));

    expect(JSON.parse((await admin.run(["auth", "whoami", "-o", "json"], asKey(secret))).stdout)).toMatchObject({ username: "alice", method: "apikey", keyId });
    const listed = await admin.run(["auth", "apikey", "list"]);
    expect(listed.stdout).toMatch(new RegExp(`^${keyId}\\s+ci-cd-pipeline\\s+CI/CD Pipeline\\s+alice\\s+workloads:\\*, nodes:read\\s`, "m"));
    expect(listed.stdout).not.toContain("clk_");

    const rotated = await admin.run(["auth", "apikey", "rotate", keyId]);
    expect(rotated.stdout.split("\n")[0]).toBe("API Key rotated successfully");
    const fresh = secretIn(rotated.stdout);
    expect(fresh).not.toBe(secret);
    expect((await admin.run(["auth", "whoami"], asKey(secret))).code).toBe(ExitCode.Unauthorized);
    expect((await admin.run(["auth", "whoami"], asKey(fresh))).code).toBe(ExitCode.Ok);

    expect((await admin.run(["auth", "apikey", "revoke", keyId])).stdout).toBe(`API key ${keyId} (ci-cd-pipeline, "CI/CD Pipeline") revoked\n`);
    expect((await admin.run(["auth", "whoami"], asKey(fresh))).code).toBe(ExitCode.Unauthorized);
  });

  it("takes the caller as the owner, and a disabled owner's key stops at once", async () => {
    const created = await admin.run(["auth", "apikey", "create", "--name", "CI/CD Pipeline", "--scopes", "workloads:read"]);
    expect(created.code).toBe(ExitCode.Ok);
    const key = (await (await env.request("/apis/security.clawbernetes.com/v1/apikeys/ci-cd-pipeline-2")).json()) as { spec: { owner: string } };
    expect(key.spec.owner).toBe("admin");

    const aliceKey = secretIn((await admin.run(["auth", "apikey", "create", "--name", "alice bot", "--scopes", "workloads:read", "--owner", "alice"])).stdout);
    expect((await admin.run(["auth", "whoami"], asKey(aliceKey))).code).toBe(ExitCode.Ok);
    expect((await admin.run(["auth", "user", "disable", "alice"])).stdout).toBe('user "alice" disabled\n');
    expect((await admin.run(["auth", "whoami"], asKey(aliceKey))).code).toBe(ExitCode.Unauthorized);
    expect((await admin.run(["auth", "user", "enable", "alice"])).stdout).toBe('user "alice" enabled\n');
    expect((await admin.run(["auth", "user", "delete", "alice"])).stdout).toBe('user.security.clawbernetes.com "alice" deleted\n');
  });
});
