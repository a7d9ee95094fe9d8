// The claw CLI, in-process, against a real `claw server` process: the README's walkthrough as tests.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { findRepoRoot } from "../api/schema/repo-root.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";

const MANIFESTS = join(findRepoRoot(), "manifests");
let home: string;
let server: ClawServerProcess;
let cli: CliHarness;
const claw = (...args: string[]) => cli.run(args, { env: { CLAW_CONFIG: server.adminConfig } });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "claw-cli-e2e-"));
  server = await startClawServer({ dataDir: join(home, "data") });
  cli = await CliHarness.create();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await cli?.dispose();
  rmSync(home, { recursive: true, force: true });
});

describe("claw against a running server", () => {
  it("applies every manifest, then finds them unchanged", async () => {
    const first = await claw("apply", "-f", MANIFESTS);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("role.security.clawbernetes.com/ml-engineer created");
    expect(first.stdout).toContain("user.security.clawbernetes.com/alice created");
    expect(first.stdout).toContain("blockrule.security.clawbernetes.com/");
    const second = await claw("apply", "-f", MANIFESTS);
    expect(second.stdout.trim().split("\n").every((l) => l.endsWith(" unchanged"))).toBe(true);
  });

  it.each([
    ["gets a table by plural", ["get", "roles"], /^NAME\s+DESCRIPTION/],
    ["gets one object by short name as YAML", ["get", "rl", "ml-engineer", "-o", "yaml"], /name: ml-engineer/],
    ["gets names by singular", ["get", "user", "-o", "name"], /user\.security\.clawbernetes\.com\/alice/],
    ["filters by a label selector", ["get", "roles", "-l", "team=ml", "-o", "name"], /^role\.security\.clawbernetes\.com\/ml-engineer\n$/],
    ["describes with spec and conditions", ["describe", "user", "alice"], /Email|email/],
    ["prints the server's version", ["version"], /Server Version: v1\.32\.0-claw/],
  ])("%s", async (_name, args, want) => {
    const run = await claw(...args);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(want);
  });

  it("prints a kubeconfig that reaches the same server with the same credential", async () => {
    const run = await claw("config", "kubeconfig");
    const config = parseYaml(run.stdout) as { clusters: { cluster: { server: string; "certificate-authority-data"?: string } }[]; users: { user: { token: string } }[] };
    expect(config.clusters[0]!.cluster.server).toBe(server.url);
    expect(config.clusters[0]!.cluster["certificate-authority-data"]).toBeTruthy();
    expect(config.users[0]!.user.token).toMatch(/^clk_/);
  });

  it("watches and prints a row for a change, until stopped", async () => {
    const abort = new AbortController();
    const watch = cli.start(["get", "roles", "-w"], { env: { CLAW_CONFIG: server.adminConfig }, signal: abort.signal });
    await watch.stdout.until("ml-engineer");
    const patch = await cli.run(["apply", "-f", "-"], {
      env: { CLAW_CONFIG: server.adminConfig },
      stdin: "apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata:\n  name: watched\nspec:\n  permissions: [\"nodes:read\"]\n",
    });
    expect(patch.stdout).toContain("role.security.clawbernetes.com/watched created");
    await watch.stdout.until("watched");
    abort.abort();
    expect((await watch.done).code).toBe(0);
  });

  it("deletes by file and by name, and says so", async () => {
    const byFile = await claw("delete", "-f", join(MANIFESTS, "blockrules.yaml"));
    expect(byFile.stdout).toMatch(/blockrule\.security\.clawbernetes\.com "[^"]+" deleted/);
    const byName = await claw("delete", "role", "watched");
    expect(byName.stdout).toContain('role.security.clawbernetes.com "watched" deleted');
  });

  it.each([
    ["a missing object: exit 6 with kubectl's wording", ["get", "role", "nope"], 6, 'roles.security.clawbernetes.com "nope" not found'],
    ["an unknown kind: exit 2", ["get", "gizmos"], 2, "gizmos"],
  ])("reports %s", async (_name, args, code, text) => {
    const run = await claw(...args);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(text);
  });

  it("reports an invalid document with every field path and exit 8", async () => {
    const run = await cli.run(["apply", "-f", "-"], {
      env: { CLAW_CONFIG: server.adminConfig },
      stdin: "apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata:\n  name: broken\nspec:\n  permissions: [\"nodes:fly\", 5]\n",
    });
    expect(run.code).toBe(8);
    expect(run.stderr).toContain("spec.permissions[0]");
    expect(run.stderr).toContain("spec.permissions[1]");
  });

  it("says how to start a server when none answers, with exit 3", async () => {
    const run = await cli.run(["--server", "https://127.0.0.1:1", "get", "roles"], { env: { CLAW_CONFIG: server.adminConfig } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("claw server");
  });

  it("refuses a wrong credential with exit 4 and never prints it", async () => {
    const run = await cli.run(["get", "roles"], { env: { CLAW_CONFIG: server.adminConfig, CLAWBERNETES_API_KEY: "clk_notarealkey0000000000000000000000000000" } });
    expect(run.code).toBe(4);
    expect(run.stderr).not.toContain("clk_notarealkey");
  });
});
