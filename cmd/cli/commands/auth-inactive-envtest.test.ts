// `claw auth user list` and `claw auth apikey list` against the real server on a fake clock: the LAST LOGIN
// and LAST USED columns, and `--inactive 90d` listing exactly the stale credentials.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../api/machinery/clock.js";
import { as, createApiKey, createRole, createUser, mint, sessionFor } from "../../../api/auth/testing/identity-fixtures.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const DAY = 86_400_000;
const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
let env: EnvTest;
let cli: CliHarness;

beforeAll(async () => {
  env = await startEnvTest({ clock, passwordParams: { N: 2 ** 10, r: 8, p: 1 } });
  cli = await CliHarness.create(clock);
  await mkdir(join(cli.homeDir, ".claw"), { recursive: true });
  await writeFile(join(cli.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
  await createRole(env, "reader", ["nodes:read,list"]);
  // Day 0: an idle user and an idle key; a user who works only through a key that will be used.
  await createUser(env, "idle", ["reader"]);
  await createUser(env, "worker", ["reader"]);
  await createApiKey(env, "idle-key", "idle", ["nodes:read,list"]);
  await createApiKey(env, "busy-key", "worker", ["nodes:read,list"]);
  const busy = await mint(env, "busy-key");
  clock.step(50 * DAY);
  // Day 50: a user and a key never used, but younger than 90 days.
  await createUser(env, "young", ["reader"]);
  await createApiKey(env, "young-key", "young", ["nodes:read,list"]);
  clock.step(47 * DAY);
  // Day 97: a login and a key use.
  await sessionFor(env, { user: "active", roles: ["reader"], password: "a long enough password" });
  expect((await as(env, busy.secret).request("/apis/security.clawbernetes.com/v1/nodes")).status).toBe(200);
  clock.step(3 * DAY);
});
afterAll(async () => {
  await cli?.dispose();
  await env?.stop();
});

/** A column of each row of a table. */
const column = (stdout: string, index: number) => stdout.trim().split("\n").slice(1).map((line) => line.split(/\s+/)[index]);

describe("claw auth user list", () => {
  it.each([
    ["lists every user without --inactive", [], ["active", "admin", "idle", "worker", "young"]],
    ["lists exactly the users idle for more than 90 days with --inactive 90d (one whose key is used is active)", ["--inactive", "90d"], ["idle"]],
    ["lists the users idle for more than 4 days with --inactive 4d, the never active once older", ["--inactive", "4d"], ["idle", "young"]],
  ])("%s", async (_name, flags, want) => {
    const run = await cli.run(["auth", "user", "list", ...flags]);
    expect(run.code).toBe(ExitCode.Ok);
    expect(column(run.stdout, 0)).toEqual(want);
  });

  it("shows the last login as an age, and never when there was none", async () => {
    const run = await cli.run(["auth", "user", "list"]);
    expect(run.stdout).toMatch(/^NAME\s.*\sLAST LOGIN\s+AGE$/m);
    expect(run.stdout).toMatch(/^active\s.*\s3d\s+3d$/m);
    expect(run.stdout).toMatch(/^young\s.*\snever\s+50d$/m);
  });
});

describe("claw auth apikey list", () => {
  it.each([
    ["lists exactly the keys unused for more than 90 days with --inactive 90d", ["--inactive", "90d"], ["idle-key"]],
    ["lists the keys unused for more than 4 days with --inactive 4d, the never used once older", ["--inactive", "4d"], ["idle-key", "young-key"]],
  ])("%s", async (_name, flags, want) => {
    const run = await cli.run(["auth", "apikey", "list", ...flags]);
    expect(run.code).toBe(ExitCode.Ok);
    expect(column(run.stdout, 1)).toEqual(want);
  });

  it("shows the last use as an age, and never when there was none", async () => {
    const run = await cli.run(["auth", "apikey", "list"]);
    expect(run.stdout).toMatch(/\sLAST USED$/m);
    expect(run.stdout).toMatch(/\sbusy-key\s.*\s3d$/m);
    expect(run.stdout).toMatch(/\sidle-key\s.*\snever$/m);
  });

  it("refuses an --inactive that is not a duration", async () => {
    const run = await cli.run(["auth", "apikey", "list", "--inactive", "ninety"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('--inactive: "ninety" is not a duration');
  });
});
