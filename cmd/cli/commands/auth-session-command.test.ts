import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readKubeconfigFile } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { ADMIN_KEY, startAuthFixture, type AuthFixture } from "../testing/auth-fixture.js";
import { FakeTerminal } from "../testing/fake-terminal.js";

let fx: AuthFixture;
beforeEach(async () => {
  fx = await startAuthFixture({ passwords: { alice: "correct horse" } });
});
afterEach(() => fx.dispose());

/** The token of the current context's user: what the next command sends. */
const storedToken = async (path = fx.configPath) => {
  const config = await readKubeconfigFile(path);
  const user = config?.contexts.find((c) => c.name === config["current-context"])?.context.user;
  return config?.users.find((u) => u.name === user)?.user.token;
};
const issued = () => [...fx.server.sessions.keys()];

describe("claw auth login", () => {
  it("stores the token from --password-stdin in the config at mode 0600 and never prints it", async () => {
    const run = await fx.claw.run(["auth", "login", "--username", "alice", "--password-stdin"], { stdin: "correct horse\n" });
    expect(run.code).toBe(ExitCode.Ok);
    const [token] = issued();
    expect(await storedToken()).toBe(token);
    expect((await stat(fx.configPath)).mode & 0o777).toBe(0o600);
    expect(run.stdout).toBe(
      `Logged in to ${fx.server.url} as alice; the session lasts until 2026-01-02T01:00:00Z (renewable until 2026-01-08T01:00:00Z).\n` +
        `The token is stored in ${fx.configPath} as context "alice@claw", now current; 'claw auth logout' makes "claw" current again.\n`,
    );
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(run.stdout + run.stderr).not.toContain("correct horse");
    expect(fx.server.requests.find((r) => r.path.endsWith("/login"))?.authorization).toBeUndefined();
  });

  it("prompts on a terminal in raw mode and echoes only stars", async () => {
    const terminal = new FakeTerminal(["correct horse\r"]);
    const run = await fx.claw.run(["auth", "login", "-u", "alice"], { stdinStream: terminal });
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stderr).toBe(`Password: ${"*".repeat(13)}\n`);
    expect(terminal.rawModes).toEqual([true, false]);
    expect(await storedToken()).toBe(issued()[0]);
  });

  it("prints only the token on stdout with --print-token, and the confirmation on stderr", async () => {
    const run = await fx.claw.run(["auth", "login", "-u", "alice", "--password-stdin", "--print-token", "--no-store"], { stdin: "correct horse" });
    expect(run.stdout).toBe(`${issued()[0]}\n`);
    expect(run.stderr).toContain("Logged in to");
    expect(await storedToken()).toBe(ADMIN_KEY);
  });

  const refusals: { name: string; global?: string[]; args: string[]; stdin?: string; code: number; stderr: RegExp; asked: boolean }[] = [
    { name: "refuses a wrong password with the server's one message and exit 4", args: ["-u", "alice", "--password-stdin"], stdin: "wrong\n", code: ExitCode.Unauthorized, stderr: /^Error from server \(Unauthorized\): invalid username or password\nCheck the username and password/, asked: true },
    { name: "tells how to pipe the password when stdin is not a terminal", args: ["-u", "alice"], code: ExitCode.Usage, stderr: /--password-stdin/, asked: false },
    { name: "refuses --no-store without --print-token", args: ["-u", "alice", "--password-stdin", "--no-store"], stdin: "x", code: ExitCode.Usage, stderr: /would throw the token away/, asked: false },
    { name: "refuses a --server other than the config's, where the token would go", global: ["--server", "http://127.0.0.1:1"], args: ["-u", "alice", "--password-stdin"], stdin: "x", code: ExitCode.Usage, stderr: /is not the server of context "claw"/, asked: false },
    { name: "refuses --expiry-hours that is not a whole number", args: ["-u", "alice", "--password-stdin", "--expiry-hours", "1.5"], stdin: "x", code: ExitCode.Usage, stderr: /--expiry-hours must be a whole number/, asked: false },
  ];
  it.each(refusals)("$name", async ({ global = [], args, stdin, code, stderr, asked }) => {
    const run = await fx.claw.run([...global, "auth", "login", ...args], stdin === undefined ? {} : { stdin });
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(stderr);
    expect(fx.server.requests.some((r) => r.path.endsWith("/login"))).toBe(asked);
    expect(await storedToken()).toBe(ADMIN_KEY);
  });

  it("makes ~/.claw/config from --server when there is no config file", async () => {
    await rm(fx.configPath);
    const run = await fx.claw.run(["--server", fx.server.url, "auth", "login", "-u", "alice", "--password-stdin"], { stdin: "correct horse" });
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain(`as context "alice@claw", now current (a new file).`);
    const config = await readKubeconfigFile(fx.configPath);
    expect(config?.clusters[0]?.cluster.server).toBe(fx.server.url);
    expect(await storedToken()).toBe(issued()[0]);
    expect((await stat(fx.configPath)).mode & 0o777).toBe(0o600);
  });

  it("writes a new --config file instead of failing on it", async () => {
    const path = join(fx.claw.homeDir, "sessions", "alice.conf");
    const run = await fx.claw.run(["--config", path, "--server", fx.server.url, "auth", "login", "-u", "alice", "--password-stdin"], { stdin: "correct horse" });
    expect(run.code).toBe(ExitCode.Ok);
    expect(await storedToken(path)).toBe(issued()[0]);
    expect(await storedToken()).toBe(ADMIN_KEY);
  });

  it("warns when CLAWBERNETES_API_KEY would be used before the stored token", async () => {
    const run = await fx.claw.run(["auth", "login", "-u", "alice", "--password-stdin"], { stdin: "correct horse", env: { CLAWBERNETES_API_KEY: ADMIN_KEY } });
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stderr).toContain("warning: CLAWBERNETES_API_KEY is set and is used before the stored token");
  });
});

describe("claw auth refresh and logout", () => {
  const login = async () => {
    await fx.claw.run(["auth", "login", "-u", "alice", "--password-stdin"], { stdin: "correct horse" });
    return issued()[0]!;
  };

  it("refresh replaces the stored token with the new one, without printing either", async () => {
    const old = await login();
    const run = await fx.claw.run(["auth", "refresh"]);
    expect(run.code).toBe(ExitCode.Ok);
    const fresh = issued().find((t) => t !== old)!;
    expect(await storedToken()).toBe(fresh);
    expect(run.stdout).toBe(`Session of alice refreshed; it lasts until 2026-01-02T01:00:00Z (renewable until 2026-01-08T01:00:00Z).\nThe new token is stored in ${fx.configPath}.\n`);
    expect(run.stdout + run.stderr).not.toContain(fresh);
    expect(fx.server.requests.at(-1)?.authorization).toBe(`Bearer ${old}`);
  });

  it("refresh of a token from CLAWBERNETES_TOKEN asks for --print-token, and then prints it", async () => {
    const old = await login();
    const env = { CLAWBERNETES_TOKEN: old };
    const refused = await fx.claw.run(["auth", "refresh"], { env });
    expect(refused.code).toBe(ExitCode.Usage);
    expect(refused.stderr).toContain("comes from CLAWBERNETES_TOKEN, which claw cannot update: run 'claw auth refresh --print-token'");
    const run = await fx.claw.run(["auth", "refresh", "--print-token"], { env });
    expect(run.stdout).toBe(`${issued().find((t) => t !== old)}\n`);
  });

  it("logout revokes the token, removes its context and makes the admin key's context current again", async () => {
    const token = await login();
    const run = await fx.claw.run(["auth", "logout"]);
    expect(run).toMatchObject({
      code: ExitCode.Ok,
      stdout:
        `Logged out: the server revoked it, and its context "alice@claw" was removed from ${fx.configPath}; the current context is "claw" again.\n` +
        `Now using the credential in ${fx.configPath} (user "claw").\n`,
    });
    expect(fx.server.sessions.has(token)).toBe(false);
    expect(await storedToken()).toBe(ADMIN_KEY);
    expect((await fx.claw.run(["auth", "whoami"])).code).toBe(ExitCode.Ok);
  });

  it("logout deletes the config file login made, so admin.conf is used again", async () => {
    const adminConf = join(fx.claw.homeDir, ".claw", "admin.conf");
    await rename(fx.configPath, adminConf);
    await login();
    expect(await storedToken()).toBe(issued()[0]);
    const run = await fx.claw.run(["auth", "logout"]);
    expect(run.stdout).toBe(
      `Logged out: the server revoked it, and ${fx.configPath}, which 'claw auth login' made for it, was removed.\n` +
        `Now using the credential in ${adminConf} (user "claw").\n`,
    );
    await expect(stat(fx.configPath)).rejects.toThrow(/ENOENT/);
    expect(await storedToken(adminConf)).toBe(ADMIN_KEY);
  });

  it("logout of a token the server no longer accepts still removes it", async () => {
    const token = await login();
    fx.server.sessions.delete(token);
    const run = await fx.claw.run(["auth", "logout"]);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("the server no longer accepted it (expired, or logged out already)");
    expect(await storedToken()).toBe(ADMIN_KEY);
  });

  it.each([
    { name: "logout with an API key says to revoke the key instead", args: ["auth", "logout"], want: /the credential in use is an API key \(from .*\); revoke a key with 'claw auth apikey revoke ak_…'/ },
    { name: "refresh with an API key says keys are rotated instead", args: ["auth", "refresh"], want: /rotate a key with 'claw auth apikey rotate ak_…'/ },
  ])("$name", async ({ args, want }) => {
    const run = await fx.claw.run(args);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(want);
    expect(fx.server.requests).toEqual([]);
  });
});
