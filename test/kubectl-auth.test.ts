// `kubectl auth can-i` and `kubectl auth whoami` (kubectl v1.32, unmodified) against the real server in-process:
// SelfSubjectAccessReview and SelfSubjectReview judged with the caller's real roles, API key scopes included.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRole, keyFor } from "../api/auth/testing/identity-fixtures.js";
import { caTemplate, issue, leafTemplate } from "../api/pki/testing/pki-fixtures.js";
import { buildKubeconfig, serializeKubeconfig } from "../cmd/cli/config/kubeconfig.js";
import { requireTool } from "../hack/testing/required-tool.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const kubectl = requireTool("kubectl", "install kubectl v1.32 (it is at /usr/bin/kubectl on claw's CI machines)");

let env: EnvTest;
let home: string;
let tls: Server;
let httpsUrl: string;
let caData: string;
const configs: Record<string, string> = {};

/** A kubeconfig for one credential. kubectl sends no token over plain http, so it reaches the server through TLS. */
function kubeconfig(name: string, token: string): void {
  const path = join(home, `${name}.kubeconfig`);
  writeFileSync(path, serializeKubeconfig(buildKubeconfig({ server: httpsUrl, token, cluster: { "certificate-authority-data": caData } })), { mode: 0o600 });
  configs[name] = path;
}

/** Runs kubectl as `who`; can-i exits 1 for "no", so the exit code is returned, not thrown. */
function kc(who: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectl.available ? kubectl.path : "kubectl", [...args, "--kubeconfig", configs[who]!, "--cache-dir", join(home, `cache-${who}`)], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!kubectl.available)("kubectl auth against claw", () => {
  beforeAll(async () => {
    env = await startEnvTest({ audit: false });
    home = mkdtempSync(join(tmpdir(), "claw-kubectl-auth-"));
    const ca = issue({ algorithm: "ECDSA" }, caTemplate("kubectl-auth CA"));
    const serving = issue({ algorithm: "ECDSA" }, leafTemplate({ subject: { commonName: "localhost" }, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] }), ca);
    tls = createServer({ cert: serving.certificatePem, key: serving.privateKeyPem }, (req, res) => void env.server.handle(req, res));
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    httpsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    caData = Buffer.from(ca.certificatePem).toString("base64");
    kubeconfig("admin", env.token);
    await createRole(env, "role-reader", ["roles:read,list"]);
    kubeconfig("reader", (await keyFor(env, { user: "reader", roles: ["role-reader"] })).secret);
    await createRole(env, "secret-keeper", ["secrets:*", "roles:read"]);
    kubeconfig("scoped", (await keyFor(env, { user: "keeper", roles: ["secret-keeper"], scopes: ["roles:read"] })).secret);
  }, 60_000);
  afterAll(async () => {
    tls?.closeAllConnections();
    await new Promise<void>((resolve) => (tls ? tls.close(() => resolve()) : resolve()));
    await env?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("says yes to the admin creating roles", async () => {
    const out = await kc("admin", "auth", "can-i", "create", "roles.security.clawbernetes.com");
    expect(out.stdout.trim()).toBe("yes");
    expect(out.code).toBe(0);
  });

  it.each([
    ["reader", ["list", "roles.security.clawbernetes.com"], "yes"],
    ["reader", ["get", "roles.security.clawbernetes.com/ml-engineer"], "yes"],
    ["reader", ["create", "roles.security.clawbernetes.com"], "no"],
    ["reader", ["delete", "users.security.clawbernetes.com"], "no"],
    ["scoped", ["list", "secrets.security.clawbernetes.com"], "no"],
    ["scoped", ["get", "roles.security.clawbernetes.com"], "yes"],
    ["admin", ["*", "*"], "yes"],
    ["admin", ["execute", "workloads"], "yes"],
    ["reader", ["execute", "workloads"], "no"],
    ["admin", ["get", "/metrics"], "yes"],
    ["reader", ["get", "/metrics"], "no"],
    ["reader", ["get", "/healthz"], "yes"],
  ] as const)("answers %s can-i %j with %s", async (who, args, want) => {
    const out = await kc(who, "auth", "can-i", ...args);
    expect(out.stdout.trim().split(" ")[0]).toBe(want);
    expect(out.code).toBe(want === "yes" ? 0 : 1);
  });

  it("says why the scoped key cannot list secrets", async () => {
    const out = await kc("scoped", "auth", "can-i", "list", "secrets.security.clawbernetes.com");
    expect(out.stdout).toMatch(/^no - .*needs secrets:list .*limited to roles:read/);
  });

  it("prints the username and groups with whoami, and no credential", async () => {
    const out = await kc("reader", "auth", "whoami");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/Username\s+reader/);
    expect(out.stdout).toMatch(/Groups\s+\[system:authenticated\]/);
    expect(out.stdout).toMatch(/Extra: roles\s+\[role-reader\]/);
    expect(out.stdout).not.toContain("clk_");
  });

  it("lists the reader's rules with can-i --list", async () => {
    const out = await kc("reader", "auth", "can-i", "--list");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/roles\.security\.clawbernetes\.com\s+\[\]\s+\[\]\s+\[get list watch\]/);
    expect(out.stdout).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io/);
    expect(out.stdout).toMatch(/\/healthz/);
    expect(out.stdout).not.toMatch(/\/metrics/);
  });

  it("finds both groups through discovery", async () => {
    const out = await kc("reader", "api-resources", "--api-group=authorization.k8s.io");
    expect(out.stdout).toMatch(/selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectAccessReview/);
    expect((await kc("reader", "api-resources", "--api-group=authentication.k8s.io")).stdout).toMatch(/selfsubjectreviews\s+authentication\.k8s\.io\/v1\s+false\s+SelfSubjectReview/);
  });
});
