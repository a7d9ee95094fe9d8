// kubectl v1.32, unmodified, against a running `claw server` (a real child process, over TLS).

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot as packageRoot } from "../api/schema/repo-root.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";
import { requireTool } from "../hack/testing/required-tool.js";

const kubectl = requireTool("kubectl", "install kubectl v1.32 (it is at /usr/bin/kubectl on claw's CI machines)");
const run = promisify(execFile);
const MANIFESTS = join(packageRoot(), "manifests");
const manifestFiles = readdirSync(MANIFESTS).filter((f) => f.endsWith(".yaml"));

let server: ClawServerProcess;
let home: string;
const kc = async (...args: string[]) => {
  const { stdout } = await run(kubectl.available ? kubectl.path : "kubectl", [...args, "--kubeconfig", server.adminConfig, "--cache-dir", join(home, "cache")], { timeout: 30_000 });
  return stdout;
};

describe.skipIf(!kubectl.available)("kubectl against claw server", () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "claw-kubectl-"));
    server = await startClawServer({ dataDir: join(home, "data") });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("lists the seven kinds with their short names through discovery", async () => {
    const out = await kc("api-resources", "--api-group=security.clawbernetes.com");
    for (const kind of ["Role", "User", "ApiKey", "Secret", "SecretPolicy", "BlockRule", "Certificate"]) expect(out).toContain(kind);
    expect(out).toMatch(/roles\s+rl\s+security\.clawbernetes\.com\/v1\s+false\s+Role/);
  });

  it("applies every manifest, then finds each unchanged", async () => {
    const first = await kc("apply", "-f", MANIFESTS);
    // The server made its root CA at its first start: applying the guide's declaration of it configures it.
    const lines = first.trim().split("\n");
    expect(lines.filter((l) => !l.endsWith(" created"))).toEqual(["certificate.security.clawbernetes.com/clawbernetes-ca configured"]);
    expect(first).toContain("role.security.clawbernetes.com/ml-engineer created");
    const second = await kc("apply", "-f", MANIFESTS);
    expect(second.trim().split("\n").every((l) => l.endsWith(" unchanged"))).toBe(true);
  });

  it("gets tables with the CRDs' printer columns and ages", async () => {
    const out = await kc("get", "roles");
    const [header, ...rows] = out.trim().split("\n");
    expect(header).toMatch(/^NAME\s+DESCRIPTION\s+/);
    expect(header).toMatch(/AGE$/);
    expect(rows.find((r) => r.startsWith("ml-engineer"))).toMatch(/\s\d+s$/);
    expect(await kc("get", "blockrules")).toContain("203.0.113.42");
  });

  it("applies server-side and patches with merge and JSON patch", async () => {
    const out = await kc("apply", "--server-side", "-f", join(MANIFESTS, manifestFiles.find((f) => f.startsWith("role"))!));
    expect(out).toContain("serverside-applied");
    await kc("patch", "role", "ml-engineer", "--type=merge", "-p", '{"metadata":{"labels":{"team":"ml"}}}');
    await kc("patch", "rl", "ml-engineer", "--type=json", "-p", '[{"op":"add","path":"/metadata/labels/tier","value":"gold"}]');
    const obj = JSON.parse(await kc("get", "role", "ml-engineer", "-o", "json", "--show-managed-fields")) as { metadata: { labels: Record<string, string>; managedFields: { manager: string }[] } };
    expect(obj.metadata.labels).toEqual({ team: "ml", tier: "gold" });
    expect(obj.metadata.managedFields.map((m) => m.manager)).toContain("kubectl");
  });

  it("watches with get -w and prints a row for each change", async () => {
    const child = spawn(kubectl.available ? kubectl.path : "kubectl", ["get", "roles", "-w", "--kubeconfig", server.adminConfig, "--cache-dir", join(home, "cache")]);
    let out = "";
    const seen = (want: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => want.test(out) && resolve();
        child.stdout.on("data", (d: Buffer) => ((out += d.toString()), check()));
        child.once("exit", () => reject(new Error(`kubectl get -w exited:\n${out}`)));
        check();
      });
    try {
      await seen(/ml-engineer/);
      await kc("patch", "role", "ml-engineer", "--type=merge", "-p", '{"spec":{"description":"watched change"}}');
      await seen(/watched change/);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("deletes with delete -f and by name", async () => {
    const file = join(MANIFESTS, manifestFiles.find((f) => f.startsWith("block"))!);
    expect(await kc("delete", "-f", file)).toMatch(/blockrule\.security\.clawbernetes\.com "[^"]+" deleted/);
    await expect(kc("get", "blockrules", "-o", "name")).resolves.toBe("");
    expect(await kc("delete", "role", "ml-engineer")).toContain('role.security.clawbernetes.com "ml-engineer" deleted');
  });

  it("reports a schema error with the field path", async () => {
    const bad = spawn(kubectl.available ? kubectl.path : "kubectl", ["create", "-f", "-", "--kubeconfig", server.adminConfig, "--cache-dir", join(home, "cache")]);
    let stderr = "";
    bad.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    bad.stdin.end('{"apiVersion":"security.clawbernetes.com/v1","kind":"Role","metadata":{"name":"bad"},"spec":{"permissions":["nodes:fly"]}}');
    const code = await new Promise<number | null>((resolve) => bad.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain("spec.permissions[0]");
  });
});
