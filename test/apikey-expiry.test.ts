// An ApiKey's EXPIRES column (a date printer column holding a time ahead) reads "in 89d" where kube's age
// says "<invalid>": in the server's Table, which `kubectl get` prints as given, and so in `claw get`.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock, toRfc3339 } from "../api/machinery/clock.js";
import { buildKubeconfig, serializeKubeconfig } from "../cmd/cli/config/kubeconfig.js";
import { ExitCode } from "../cmd/cli/exit-codes.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const APIKEYS = "/apis/security.clawbernetes.com/v1/apikeys";
const KUBECTL_GET_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const MANIFEST = "apiVersion: security.clawbernetes.com/v1\nkind: ApiKey\nmetadata:\n  name: ci-cd-pipeline\nspec:\n  displayName: CI/CD Pipeline\n  owner: admin\n  scopes: [\"nodes:read\"]\n  duration: 90d\n";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let cli: CliHarness;

beforeAll(async () => {
  env = await startEnvTest({ clock });
  cli = await CliHarness.create(clock);
  await mkdir(join(cli.homeDir, ".claw"), { recursive: true });
  await writeFile(join(cli.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
  expect((await cli.run(["apply", "-f", "-"], { stdin: MANIFEST })).code).toBe(ExitCode.Ok);
  // What the apikeys controller writes once it has minted the key.
  const status = { status: { phase: "Active", expiresAt: toRfc3339(clock.now() + 90 * DAY) } };
  const written = await env.request(`${APIKEYS}/ci-cd-pipeline/status`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify(status) });
  expect(written.status).toBe(200);
  clock.step(HOUR);
});
afterAll(async () => {
  await cli?.dispose();
  await env?.stop();
});

describe("an expiry ahead", () => {
  it("is a readable cell of the server's Table, which kubectl prints as given", async () => {
    const table = (await (await env.request(APIKEYS, { headers: { Accept: KUBECTL_GET_ACCEPT } })).json()) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    const row = table.rows.find((r) => r.cells[0] === "ci-cd-pipeline")!;
    const cell = (name: string) => row.cells[table.columnDefinitions.findIndex((c) => c.name === name)];
    expect({ expires: cell("Expires"), age: cell("Age") }).toEqual({ expires: "in 89d", age: "60m" });
  });

  it("reads 'in 89d' in claw get apikeys", async () => {
    const run = await cli.run(["get", "apikeys"]);
    expect(run).toMatchObject({ code: ExitCode.Ok, stderr: "" });
    expect(run.stdout).toMatch(/^NAME\s.*\sEXPIRES\s+AGE$/m);
    expect(run.stdout).toMatch(/^ci-cd-pipeline\s.*\sActive\s+in 89d\s+60m$/m);
  });
});
