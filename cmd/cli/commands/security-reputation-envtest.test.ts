// `claw security reputation` against the real API server with the gateway guard on: a failed login from one
// loopback address shows as a violation, and blocking that address shows as BLOCKED.

import { mkdir, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGuardConfig } from "../../../api/guard/guard-config-parser.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const OFFENDER = "127.0.0.9";
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: CliHarness;

/** A request with a credential the server refuses, from `localAddress`; resolves to the status. */
function refusedRequest(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL("/apis/security.clawbernetes.com/v1/roles", url), { agent: new Agent({ localAddress }), headers: { Authorization: "Bearer clk_not_a_real_key" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  env = await startEnvTest({ clock, guard: { config: parseGuardConfig(undefined) } });
  admin = await CliHarness.create(clock);
  await mkdir(join(admin.homeDir, ".claw"), { recursive: true });
  await writeFile(join(admin.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
});
afterAll(async () => {
  await admin?.dispose();
  await env?.stop();
});

describe("claw security reputation", () => {
  it("says when no source has a violation", async () => {
    const run = await admin.run(["security", "reputation"]);
    expect(run).toMatchObject({ code: 0, stdout: "" });
    expect(run.stderr).toMatch(/^No source has a violation on server \S+/);
  });

  it("lists a source after a refused credential, then shows it blocked", async () => {
    expect(await refusedRequest(env.url, OFFENDER)).toBe(401);
    clock.step(2 * 60_000);
    const run = await admin.run(["security", "reputation", "--limit", "5"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^SOURCE\s+SCORE\s+VIOLATIONS\s+LAST VIOLATION\s+BLOCKED\n/);
    expect(run.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.9\\s+-?\\d+\\.\\d\\s+auth_failure=1\\s+2m\\s+no$`, "m"));

    expect((await admin.run(["security", "block", OFFENDER, "--reason", "bad credentials", "--duration", "1h"])).code).toBe(0);
    expect((await admin.run(["security", "reputation"])).stdout).toMatch(/^127\.0\.0\.9\s.*\syes$/m);
  });

  it("refuses a limit out of range before asking", async () => {
    const run = await admin.run(["security", "reputation", "--limit", "0"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("--limit must be a whole number from 1 to 1000");
  });
});
