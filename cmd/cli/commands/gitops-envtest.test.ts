// A GitOps round against the real API server (test/envtest.ts): a folder of manifests applied with
// --prune, reviewed with `claw diff`, edited, applied again, a file removed and its object pruned.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../api/machinery/clock.js";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { APPLY_SET_LABEL } from "../apply-set.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const API = "/apis/security.clawbernetes.com/v1";
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: CliHarness;
let repo: string;

const claw = (...args: string[]) => admin.run(args);
const manifest = (kind: string, name: string, spec: Record<string, unknown>): string =>
  `apiVersion: security.clawbernetes.com/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${Object.entries(spec)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join("\n")}\n`;
const role = (description: string) => manifest("Role", "ml-engineer", { description, permissions: ["workloads:*", "nodes:read"] });
const FILES: Record<string, string> = {
  "role.yaml": role("ML team member"),
  "user.yaml": manifest("User", "alice", { email: "alice@example.com", roles: ["ml-engineer"] }),
  "blockrule.yaml": manifest("BlockRule", "block-203-0-113-42", { cidr: "203.0.113.42", reason: "Suspicious activity", source: "manual" }),
  "secretpolicy.yaml": manifest("SecretPolicy", "database-password", { secret: "database-password", allowWorkloads: ["api-server"] }),
};
const fetchObject = async (plural: string, name: string): Promise<{ status: number; object: KubeObject }> => {
  const res = await env.request(`${API}/${plural}/${name}`);
  return { status: res.status, object: (await res.json()) as KubeObject };
};
const changedLines = (diff: string): string[] => diff.split("\n").filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l));

beforeAll(async () => {
  env = await startEnvTest({ clock });
  admin = await CliHarness.create(clock);
  await mkdir(join(admin.homeDir, ".claw"), { recursive: true });
  await writeFile(join(admin.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
  repo = await mkdtemp(join(tmpdir(), "claw-gitops-"));
  for (const [file, text] of Object.entries(FILES)) await writeFile(join(repo, file), text);
  // Made by hand, outside the set: pruning must never touch them.
  for (const [plural, kind, name, spec] of [
    ["roles", "Role", "hand-made", { description: "made by hand", permissions: ["nodes:read"] }],
    ["blockrules", "BlockRule", "block-198-51-100-7", { cidr: "198.51.100.7", reason: "by hand", source: "manual" }],
  ] as const) {
    const res = await env.request(`${API}/${plural}`, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind, metadata: { name }, spec } });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await admin?.dispose();
  await env?.stop();
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe("a GitOps round with claw diff and claw apply --prune", () => {
  it("shows what a first apply would create, and a server dry run changes nothing", async () => {
    const diff = await claw("diff", "-f", repo);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("diff -u -N LIVE/security.clawbernetes.com.v1.Role..ml-engineer MERGED/security.clawbernetes.com.v1.Role..ml-engineer\n");
    expect(diff.stdout).toContain("+  description: ML team member\n");
    expect(changedLines(diff.stdout).every((l) => l.startsWith("+"))).toBe(true);

    const dry = await claw("apply", "-f", repo, "--prune", "--dry-run=server");
    expect(dry).toMatchObject({ code: 0, stderr: "" });
    expect(dry.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "blockrule.security.clawbernetes.com/block-203-0-113-42 created (server dry run)",
      "role.security.clawbernetes.com/ml-engineer created (server dry run)",
      "secretpolicy.security.clawbernetes.com/database-password created (server dry run)",
      "user.security.clawbernetes.com/alice created (server dry run)",
    ]);
    expect((await fetchObject("roles", "ml-engineer")).status).toBe(404);
  });

  it("applies the folder as a set, labelling every object, after which diff finds nothing", async () => {
    const applied = await claw("apply", "-f", repo, "--prune");
    expect(applied).toMatchObject({ code: 0, stderr: "" });
    expect(applied.stdout.split("\n").filter(Boolean)).toHaveLength(4);
    expect(applied.stdout).not.toContain("pruned");
    const { object } = await fetchObject("users", "alice");
    expect(object.metadata.labels?.[APPLY_SET_LABEL]).toMatch(/^p-[0-9a-f]{16}$/);

    expect(await claw("diff", "-f", repo)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await claw("diff", "-f", repo, "--prune")).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("prints exactly the changed lines of an edited file, then applies it", async () => {
    await writeFile(join(repo, "role.yaml"), role("ML engineers"));
    const diff = await claw("diff", "-f", repo);
    expect(diff.code).toBe(1);
    expect(diff.stderr).toBe("");
    expect(diff.stdout).toMatch(/^diff -u -N LIVE\/security\.clawbernetes\.com\.v1\.Role\.\.ml-engineer MERGED\/security\.clawbernetes\.com\.v1\.Role\.\.ml-engineer\n--- LIVE\/\S+\n\+\+\+ MERGED\/\S+\n@@ /);
    expect(changedLines(diff.stdout)).toEqual(["-  description: ML team member", "+  description: ML engineers"]);
    expect(diff.stdout).not.toMatch(/resourceVersion|managedFields|creationTimestamp|uid:/);

    const applied = await claw("apply", "-f", repo, "--prune");
    expect(applied.stdout).toContain("role.security.clawbernetes.com/ml-engineer configured\n");
    expect(applied.stdout).toContain("user.security.clawbernetes.com/alice unchanged\n");
    expect((await claw("diff", "-f", repo)).code).toBe(0);
  });

  it("prunes exactly the object whose file was removed, never one made outside the set", async () => {
    await rm(join(repo, "blockrule.yaml"));
    const diff = await claw("diff", "-f", repo, "--prune");
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("--- LIVE/security.clawbernetes.com.v1.BlockRule..block-203-0-113-42\n");
    expect(changedLines(diff.stdout).every((l) => l.startsWith("-"))).toBe(true);

    const dry = await claw("apply", "-f", repo, "--prune", "--dry-run=server");
    expect(dry.stdout).toContain("blockrule.security.clawbernetes.com/block-203-0-113-42 pruned (server dry run)\n");
    expect((await fetchObject("blockrules", "block-203-0-113-42")).status).toBe(200);

    const applied = await claw("apply", "-f", repo, "--prune");
    expect(applied.code).toBe(0);
    expect(applied.stdout.split("\n").filter((l) => l.includes("pruned"))).toEqual(["blockrule.security.clawbernetes.com/block-203-0-113-42 pruned"]);
    expect((await fetchObject("blockrules", "block-203-0-113-42")).status).toBe(404);
    expect((await fetchObject("blockrules", "block-198-51-100-7")).status).toBe(200);
    expect((await fetchObject("roles", "hand-made")).status).toBe(200);
    expect((await fetchObject("roles", "ml-engineer")).status).toBe(200);
  });

  it("masks secret values in a diff and says that they would change", async () => {
    const secret = (value: string) => `apiVersion: security.clawbernetes.com/v1\nkind: Secret\nmetadata:\n  name: api-token\nspec:\n  allowedWorkloads: [api-server]\n  valueFrom:\n    value: ${value}\n`;
    const file = join(repo, "secret.yaml");
    await writeFile(file, secret("hunter2-first"));
    const first = await claw("diff", "-f", file);
    expect(first.code).toBe(1);
    expect(first.stdout).not.toContain("hunter2");
    expect((await claw("apply", "-f", file)).code).toBe(0);
    expect(await claw("diff", "-f", file)).toEqual({ code: 0, stdout: "", stderr: "" });
    await writeFile(file, secret("hunter2-second"));
    const second = await claw("diff", "-f", file);
    expect(second.stdout + second.stderr).not.toContain("hunter2");
    expect(second.code).toBe(1);
    expect(changedLines(second.stdout)).toEqual([
      "-    version: 1",
      "+    version: 2",
      '-    nonce: "*** (before)"',
      '-    ciphertext: "*** (before)"',
      '+    nonce: "*** (after)"',
      '+    ciphertext: "*** (after)"',
    ]);
    expect(second.stderr).toBe("note: secret.security.clawbernetes.com/api-token: the secret value would change (spec.sealed.nonce, spec.sealed.ciphertext); values are shown as ***\n");
  });

  it("exits with the error's code, not 1, when a document cannot be diffed", async () => {
    const bad = join(repo, "bad.yaml");
    await writeFile(bad, "apiVersion: security.clawbernetes.com/v1\nkind: Nope\nmetadata:\n  name: x\n");
    const diff = await claw("diff", "-f", bad);
    expect(diff.code).toBe(ExitCode.Usage);
    await rm(bad);
  });
});

describe("claw get -o jsonpath|custom-columns, get -w --output-watch-events and claw wait", () => {
  const setReady = async (name: string, status: string) => {
    const { object } = await fetchObject("roles", name);
    const res = await env.request(`${API}/roles/${name}/status`, {
      method: "PUT",
      json: { ...object, status: { conditions: [{ type: "Ready", status, reason: "Test", message: "set by the test", lastTransitionTime: "2026-03-01T08:00:00Z" }] } },
    });
    expect(res.status).toBe(200);
  };

  it("prints a JSONPath template over the list and over one object", async () => {
    expect(await claw("get", "roles", "-l", APPLY_SET_LABEL, "-o", "jsonpath={.items[*].metadata.name}")).toEqual({ code: 0, stdout: "ml-engineer", stderr: "" });
    expect((await claw("get", "role/ml-engineer", "-o", 'jsonpath={.spec.description}{"\\n"}')).stdout).toBe("ML engineers\n");
    const ranged = await claw("get", "roles", "hand-made", "ml-engineer", "-o", 'jsonpath={range .items[*]}{.metadata.name}={.spec.permissions[0]}{"\\n"}{end}');
    expect(ranged.stdout).toBe("hand-made=nodes:read\nml-engineer=workloads:*\n");
  });

  it("prints custom columns, with a filter on the conditions", async () => {
    await setReady("ml-engineer", "True");
    const got = await claw("get", "roles", "hand-made", "ml-engineer", "-o", 'custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status');
    expect(got).toEqual({ code: 0, stdout: "NAME          READY\nhand-made     <none>\nml-engineer   True\n", stderr: "" });
  });

  it("waits for a condition, and says when the object is not there", async () => {
    await setReady("hand-made", "False");
    const waiting = admin.start(["wait", "--for=condition=Ready", "role/hand-made", "--timeout", "60s"]);
    await setReady("hand-made", "True");
    expect(await waiting.done).toEqual({ code: 0, stdout: "role.security.clawbernetes.com/hand-made condition met\n", stderr: "" });
    expect(await claw("wait", "--for=condition=Ready", "roles", "ml-engineer", "hand-made")).toMatchObject({ code: 0 });
    expect((await claw("wait", "--for=condition=Ready", "role/nope")).stderr).toContain("role.security.clawbernetes.com/nope not found");
  });

  it("waits for a deletion", async () => {
    const waiting = admin.start(["wait", "--for=delete", "role/hand-made"]);
    expect((await env.request(`${API}/roles/hand-made`, { method: "DELETE" })).status).toBe(200);
    expect(await waiting.done).toEqual({ code: 0, stdout: "role.security.clawbernetes.com/hand-made deleted\n", stderr: "" });
  });

  it("says ADDED, MODIFIED and DELETED for each change of a watch, as a column and as {type, object}", async () => {
    const stop = new AbortController();
    const table = admin.start(["get", "roles", "ml-engineer", "-w", "--output-watch-events"], { signal: stop.signal });
    const json = admin.start(["get", "roles", "-l", APPLY_SET_LABEL, "-w", "--output-watch-events", "-o", "json"], { signal: stop.signal });
    await table.stdout.until("ADDED");
    await json.stdout.until('"type": "ADDED"');
    await setReady("ml-engineer", "False");
    await table.stdout.until("MODIFIED");
    await json.stdout.until('"type": "MODIFIED"');
    stop.abort();
    const [t, j] = await Promise.all([table.done, json.done]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^EVENT\s+NAME\s+.*\nADDED\s+ml-engineer\s+.*\nMODIFIED\s+ml-engineer\s+/);
    expect(j.code).toBe(0);
    const events = j.stdout.split(/\n(?=\{)/).map((text) => JSON.parse(text) as { type: string; object: KubeObject });
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED ml-engineer", "MODIFIED ml-engineer"]);
  });
});
