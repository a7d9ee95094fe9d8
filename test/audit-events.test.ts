// A real `claw server` emits the guide's audit events where they happen, and no secret enters the log.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RestClient } from "../api/client/rest-client.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";
import { adminClient } from "../hack/testing/admin-client.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";

interface Entry { type: string; actor: string; outcome: string; resource: { kind: string; name?: string } | null; details: Record<string, unknown> }

let home: string;
let server: ClawServerProcess;
let admin: RestClient;
let cli: CliHarness;
let apiKeySecret = "";
const PASSWORD = "correct-horse-battery-staple";
const claw = (args: string[], env: Record<string, string> = {}, stdin?: string) =>
  cli.run(args, { env: { CLAW_CONFIG: server.adminConfig, ...env }, ...(stdin !== undefined ? { stdin } : {}) });

async function entries(type?: string): Promise<Entry[]> {
  const page = await admin.requestJson<{ items: Entry[] }>({ method: "GET", path: "/apis/audit.clawbernetes.com/v1/events", query: { ...(type ? { type } : {}), limit: 1000 } });
  return page.items;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "claw-audit-e2e-"));
  server = await startClawServer({ dataDir: join(home, "data") });
  admin = await adminClient(server.adminConfig);
  cli = await CliHarness.create();
  await claw(["auth", "user", "create", "dana", "--email", "dana@example.com", "--roles", "viewer", "--password-stdin"], {}, `${PASSWORD}\n`);
  await claw(["auth", "user", "assign-role", "dana", "operator"]);
  await claw(["auth", "login", "--username", "dana", "--password-stdin", "--no-store", "--print-token"], {}, "wrong-password\n");
  await claw(["auth", "user", "set-password", "dana", "--password-stdin"], {}, `${PASSWORD}-2\n`);
  const box = await claw(["auth", "apikey", "create", "--name", "Audit Probe", "--scopes", "workloads:*", "--owner", "dana"]);
  apiKeySecret = /Secret:\s+(clk_\S+)/.exec(box.stdout)?.[1] ?? "";
  await claw(["get", "roles"], { CLAWBERNETES_API_KEY: apiKeySecret });
  await claw(["auth", "apikey", "revoke", "audit-probe"]);
  await claw(["apply", "-f", "-"], {}, "apiVersion: security.clawbernetes.com/v1\nkind: Secret\nmetadata:\n  name: audited\nspec:\n  valueFrom:\n    value: hunter2-super-secret\n");
}, 90_000);

afterAll(async () => {
  await admin?.close();
  await server?.stop();
  await cli?.dispose();
  rmSync(home, { recursive: true, force: true });
});

describe("audit events from a running server", () => {
  it.each([
    ["a failed login as auth.login failure", "auth.login", (e: Entry) => e.outcome === "failure" && e.actor === "dana"],
    ["a new API key secret as auth.apikey.created with its key id", "auth.apikey.created", (e: Entry) => e.resource?.name === "audit-probe" && /^ak_/.test(String(e.details.keyId))],
    ["a password set by an admin as auth.password.set", "auth.password.set", (e: Entry) => e.resource?.name === "dana" && e.actor === "admin"],
    ["a revoked key as auth.apikey.revoked", "auth.apikey.revoked", (e: Entry) => e.resource?.name === "audit-probe"],
    ["a role given to a user as rbac.role.assigned", "rbac.role.assigned", (e: Entry) => e.resource?.name === "dana" && e.details.role === "operator"],
    ["an RBAC denial as security.violation", "security.violation", (e: Entry) => e.outcome === "denied" && e.actor === "dana"],
    ["a Secret's creation as secrets.created", "secrets.created", (e: Entry) => e.resource?.name === "audited"],
    ["every resource write as resource.created", "resource.created", (e: Entry) => e.resource?.kind === "User" && e.resource.name === "dana"],
  ])("records %s", async (_name, type, match) => {
    expect((await entries(type)).some(match)).toBe(true);
  });

  it("never stores a password, an API key secret or a secret value", async () => {
    expect(apiKeySecret).toMatch(/^clk_/);
    const all = JSON.stringify(await entries());
    expect(all.length).toBeGreaterThan(100);
    for (const secret of [PASSWORD, `${PASSWORD}-2`, "wrong-password", apiKeySecret, "hunter2-super-secret"]) expect(all).not.toContain(secret);
  });

  it("is not readable with a revoked key", async () => {
    const asDana = await claw(["audit", "logs", "--last", "5"], { CLAWBERNETES_API_KEY: apiKeySecret });
    expect(asDana.code).not.toBe(0);
  });
});
