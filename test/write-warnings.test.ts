// A misspelt field is pruned, never silently: every write path of the real API server sends kube's
// `Warning: 299` header for it, and the CLI prints it on stderr as kubectl does.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildKubeconfig, serializeKubeconfig } from "../cmd/cli/config/kubeconfig.js";
import { ExitCode } from "../cmd/cli/exit-codes.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
/** Exactly what kube-apiserver sends for a pruned unknown field. */
const KUBE_WARNING = '299 - "unknown field \\"spec.permisions\\""';
const role = (name: string, description: string) => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name },
  spec: { description, permissions: ["nodes:read"], permisions: ["nodes:list"] },
});
const roleYaml = (name: string, description = "d") =>
  `apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata:\n  name: ${name}\nspec:\n  description: ${description}\n  permissions: ["nodes:read"]\n  permisions: ["nodes:list"]\n`;
const apply = (name: string, description?: string) =>
  env.request(`${ROLES}/${name}?fieldManager=test`, { method: "PATCH", headers: { "Content-Type": "application/apply-patch+yaml" }, body: roleYaml(name, description) });

let env: EnvTest;
let cli: CliHarness;
beforeAll(async () => {
  env = await startEnvTest();
  cli = await CliHarness.create();
  await mkdir(join(cli.homeDir, ".claw"), { recursive: true });
  await writeFile(join(cli.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
  expect((await env.request(ROLES, { method: "POST", json: role("existing", "before") })).status).toBe(201);
});
afterAll(async () => {
  await cli?.dispose();
  await env?.stop();
});

describe("the server warns of a pruned unknown field", () => {
  const patch = (type: string, body: unknown, query = "") =>
    env.request(`${ROLES}/existing${query}`, { method: "PATCH", headers: { "Content-Type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });
  it.each([
    { name: "on create (POST)", send: () => env.request(ROLES, { method: "POST", json: role("posted", "x") }), status: 201 },
    {
      name: "on update (PUT)",
      send: async () => {
        const live = (await (await env.request(`${ROLES}/existing`)).json()) as { metadata: Record<string, unknown> };
        return env.request(`${ROLES}/existing`, { method: "PUT", json: { ...role("existing", "put"), metadata: live.metadata } });
      },
      status: 200,
    },
    { name: "on a merge patch", send: () => patch("application/merge-patch+json", { spec: { permisions: ["nodes:list"] } }), status: 200 },
    { name: "on a JSON patch", send: () => patch("application/json-patch+json", [{ op: "add", path: "/spec/permisions", value: ["nodes:list"] }]), status: 200 },
    { name: "on a server-side apply that creates", send: () => apply("applied"), status: 201 },
    { name: "on a server-side apply that updates", send: () => apply("applied", "changed"), status: 200 },
    { name: "on a server-side apply that changes nothing", send: () => apply("applied", "changed"), status: 200 },
  ])("$name", async ({ send, status }) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get("warning")).toBe(KUBE_WARNING);
    const body = (await response.json()) as { spec: Record<string, unknown> };
    expect(body.spec).not.toHaveProperty("permisions");
  });
});

describe("a pruned unknown field leaves no trace", () => {
  it("is not in managedFields, so applying it later never conflicts with the writer before", async () => {
    expect((await env.request(ROLES, { method: "POST", json: role("posted-then-applied", "x") })).status).toBe(201);
    const applied = await env.request(`${ROLES}/posted-then-applied?fieldManager=other`, { method: "PATCH", headers: { "Content-Type": "application/apply-patch+yaml" }, body: roleYaml("posted-then-applied", "x") });
    expect(applied.status).toBe(200);
  });

  // The body is pruned in validation, after prepareForUpdate counted the unknown field as a spec change;
  // generation is settled again after pruning (object-rules.ts settleGeneration).
  it("a re-apply of a manifest with an unknown field changes nothing", async () => {
    const first = (await (await apply("reapplied")).json()) as { metadata: { resourceVersion: string } };
    const again = (await (await apply("reapplied")).json()) as { metadata: { resourceVersion: string } };
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });
});

describe("the CLI prints the server's warnings on stderr, as kubectl does", () => {
  it.each([
    { name: "claw apply that creates", description: "first", out: "role.security.clawbernetes.com/typo created\n" },
    { name: "claw apply that changes the object", description: "second", out: "role.security.clawbernetes.com/typo configured\n" },
  ])("$name", async ({ description, out }) => {
    const run = await cli.run(["apply", "-f", "-"], { stdin: roleYaml("typo", description) });
    expect(run).toEqual({ code: ExitCode.Ok, stdout: out, stderr: 'Warning: unknown field "spec.permisions"\n' });
  });

  it("prints a warning once however many objects draw it, as kubectl does", async () => {
    const run = await cli.run(["apply", "-f", "-"], { stdin: `${roleYaml("typo-a")}---\n${roleYaml("typo-b")}` });
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stderr).toBe('Warning: unknown field "spec.permisions"\n');
  });
});
