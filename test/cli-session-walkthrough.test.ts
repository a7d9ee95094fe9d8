// The README's identity walkthrough against the real API server: with only ~/.claw/admin.conf (as the first
// `claw server` start leaves it), log in, log out, and the next command works again with the admin key.

import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildKubeconfig, serializeKubeconfig } from "../cmd/cli/config/kubeconfig.js";
import { ExitCode } from "../cmd/cli/exit-codes.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

let env: EnvTest;
let cli: CliHarness;
let adminConf: string;
let sessionConf: string;
const whoami = async () => JSON.parse((await cli.run(["auth", "whoami", "-o", "json"])).stdout) as { username: string; method: string };

beforeAll(async () => {
  env = await startEnvTest();
  cli = await CliHarness.create();
  adminConf = join(cli.homeDir, ".claw", "admin.conf");
  sessionConf = join(cli.homeDir, ".claw", "config");
  await mkdir(join(cli.homeDir, ".claw"), { recursive: true, mode: 0o700 });
  await writeFile(adminConf, serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
});
afterAll(async () => {
  await cli?.dispose();
  await env?.stop();
});

describe("the README's login and logout", () => {
  it("sets the admin's password with the admin key of admin.conf", async () => {
    const run = await cli.run(["auth", "user", "set-password", "admin", "--password-stdin"], { stdin: "a-long-admin-passphrase\n" });
    expect(run).toMatchObject({ code: ExitCode.Ok, stderr: "" });
    expect(await whoami()).toMatchObject({ username: "admin", method: "apikey" });
  });

  it("logs in: the session lives in a new ~/.claw/config, which is used from now on", async () => {
    const run = await cli.run(["auth", "login", "--username", "admin", "--password-stdin"], { stdin: "a-long-admin-passphrase\n" });
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain(`The token is stored in ${sessionConf} as context "admin@claw", now current (a new file).`);
    expect((await stat(sessionConf)).mode & 0o777).toBe(0o600);
    expect(await whoami()).toMatchObject({ username: "admin", method: "jwt" });
  });

  it("logs out: the session's file is removed and admin.conf's key is used again", async () => {
    const run = await cli.run(["auth", "logout"]);
    expect(run).toEqual({
      code: ExitCode.Ok,
      stdout:
        `Logged out: the server revoked it, and ${sessionConf}, which 'claw auth login' made for it, was removed.\n` +
        `Now using the credential in ${adminConf} (user "claw").\n`,
      stderr: "",
    });
    await expect(stat(sessionConf)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("runs the README's next command with the admin credential", async () => {
    const roles = await cli.run(["get", "roles"]);
    expect(roles).toMatchObject({ code: ExitCode.Ok, stderr: "" });
    expect(roles.stdout).toMatch(/^NAME\s+DESCRIPTION\s+PERMISSIONS/);
    expect(roles.stdout).toMatch(/^admin\s/m);
    expect(await whoami()).toMatchObject({ username: "admin", method: "apikey" });
  });
});
