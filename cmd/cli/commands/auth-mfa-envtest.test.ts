// `claw auth mfa` and `claw auth login --code` end to end against the real API server (test/envtest.ts).

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { CliHarness } from "../testing/cli-harness.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
const PASSWORD = "correct horse battery";
let env: EnvTest;
let admin: CliHarness;
let alice: CliHarness;
let secret = "";
let recovery: string[] = [];

const configAt = async (claw: CliHarness, token?: string) => {
  await mkdir(join(claw.homeDir, ".claw"), { recursive: true });
  await writeFile(join(claw.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, ...(token ? { token } : {}) })), { mode: 0o600 });
};
const codeNow = () => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: clock.now() });
const loginAlice = (...extra: string[]) => alice.run(["auth", "login", "--username", "alice", "--password-stdin", ...extra], { stdin: `${PASSWORD}\n` });

beforeAll(async () => {
  env = await startEnvTest({ clock });
  admin = await CliHarness.create(clock);
  alice = await CliHarness.create(clock);
  await configAt(admin, env.token);
  await configAt(alice);
  const created = await admin.run(["auth", "user", "create", "alice", "--roles", "operator", "--password-stdin"], { stdin: `${PASSWORD}\n` });
  expect(created.code).toBe(0);
  expect((await loginAlice()).code).toBe(0);
});
afterAll(async () => {
  await admin?.dispose();
  await alice?.dispose();
  await env?.stop();
});

describe("claw auth mfa", () => {
  it("enroll shows a QR code and the secret, and leaves MFA off without a code", async () => {
    const run = await alice.run(["auth", "mfa", "enroll"], { stdin: "" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Scan this QR code");
    secret = /enter the secret by hand .*: ([A-Z2-7]+)$/m.exec(run.stdout)?.[1] ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(run.stderr).toContain("claw auth mfa enroll --code CODE");
    expect((await alice.run(["auth", "mfa", "status"])).stdout).toContain("MFA:             off (an enrolment is waiting");
  });

  it("enroll --code turns MFA on and prints 10 recovery codes once", async () => {
    const run = await alice.run(["auth", "mfa", "enroll", "--code", codeNow()]);
    expect(run.code).toBe(0);
    recovery = [...run.stdout.matchAll(/^ {2}([a-z2-7]{4}(?:-[a-z2-7]{4}){3})$/gm)].map((m) => m[1]!);
    expect(recovery).toHaveLength(10);
    clock.step(30_000);
    expect((await alice.run(["auth", "mfa", "status"])).stdout).toContain("Recovery codes:  10 left");
  });

  it("login without a code and without a terminal says how to give one", async () => {
    const run = await loginAlice();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("claw auth login --username alice --code CODE");
  });

  it("login --code logs in, and a recovery code works in its place once", async () => {
    expect((await loginAlice("--code", codeNow())).code).toBe(0);
    expect((await loginAlice("--code", recovery[0]!)).code).toBe(0);
    expect((await loginAlice("--code", recovery[0]!)).code).not.toBe(0);
  });

  it("status --user and disable --user work for an admin", async () => {
    expect((await admin.run(["auth", "mfa", "status", "--user", "alice"])).stdout).toContain("Recovery codes:  9 left");
    const run = await admin.run(["auth", "mfa", "disable", "--user", "alice"]);
    expect(run).toMatchObject({ code: 0, stdout: 'MFA is off for user "alice".\n' });
    expect((await loginAlice()).code).toBe(0);
  });
});
