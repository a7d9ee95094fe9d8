// `claw store backup` against a real `claw server` on the embedded store, and `claw store restore` on its data
// directory: what was there at the backup comes back, what came after does not, secrets still open, and a
// running server's store is never replaced.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { auditPaths, type AuditEventList } from "../../api/types/audit-api.js";
import { storeSnapshotPath } from "../../api/types/store-backup-api.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../../hack/testing/https-call.js";
import { runCli } from "../cli/program.js";
import { CapturedOutput, CliHarness } from "../cli/testing/cli-harness.js";
import { runServer, type RunningServer } from "./run-server.js";
import { storeRestoreCommand } from "./store-restore-command.js";

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
let dir: string;
let dataDir: string;
let server: RunningServer | undefined;
let admin: HttpsClient;
let cli: CliHarness;

async function start(): Promise<void> {
  server = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir, etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: {} }, logger: pino({ level: "silent" }), announce: () => {} });
  admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
  mkdirSync(join(cli.homeDir, ".claw"), { recursive: true });
  writeFileSync(join(cli.homeDir, ".claw", "config"), readFileSync(server.adminConfigPath, "utf8"), { mode: 0o600 });
}

async function role(name: string): Promise<number> {
  const res = await httpsCall(server!.url, name ? `${ROLES}/${name}` : ROLES, admin);
  return res.status;
}

/** `claw store restore …` as the executable mounts it. */
async function restore(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const deps = { homeDir: cli.homeDir, stdout: (l: string) => stdout.write(`${l}\n`), stderr: (l: string) => stderr.write(`${l}\n`) };
  const code = await runCli(["store", "restore", ...args], {
    stdout,
    stderr,
    stdin: (async function* () {})(),
    env: {},
    homeDir: cli.homeDir,
    serverCommand: (program) => void program.commands.find((c) => c.name() === "store")?.addCommand(storeRestoreCommand(deps)),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claw-store-backup-"));
  dataDir = join(dir, "data");
  cli = await CliHarness.create();
  await start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await cli?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("claw store backup and restore", () => {
  const backup = () => join(dir, "claw-store.db");

  it("downloads a snapshot (0600, a SQLite database with claw's tables) and audits it as store.backup", async () => {
    const made = await httpsCall(server!.url, ROLES, admin, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "before-backup" }, spec: { permissions: ["nodes:read"] } } });
    expect(made.status).toBe(201);
    const run = await cli.run(["store", "backup", "-o", backup()]);
    expect(run.stderr).toContain("The master key is not in it");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^wrote a snapshot of the store on https:\/\/127\.0\.0\.1:\d+ to .*claw-store\.db \(\d+ bytes\)\n$/);
    expect(statSync(backup()).mode & 0o777).toBe(0o600);
    const db = new Database(backup(), { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM revisions WHERE name LIKE '%before-backup%'").get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
    const audit = await httpsCall<AuditEventList>(server!.url, `${auditPaths.events}?type=store.backup&last=1`, admin);
    expect(audit.body.items[0]).toMatchObject({ type: "store.backup", actor: "admin", outcome: "success" });
  });

  it("refuses to overwrite a file without --force", async () => {
    const run = await cli.run(["store", "backup", "-o", backup()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("exists; pass --force");
  });

  it("refuses the snapshot to a caller without *:admin", async () => {
    const res = await httpsCall(server!.url, storeSnapshotPath, { ca: admin.ca });
    expect(res.status).toBe(401);
  });

  it("never replaces the store of a running server", async () => {
    const run = await restore(["--data-dir", dataDir, "--from", backup()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Stop the server first");
  });

  it.each([
    ["a file that is not a database", "not-a-db", "not a SQLite database"],
    ["a SQLite database that is not a claw store", "other.db", "not a claw store"],
    ["a file that does not exist", "missing.db", "does not exist"],
  ])("refuses %s and changes nothing", async (_what, name, message) => {
    const file = join(dir, name);
    if (name === "not-a-db") writeFileSync(file, "hello");
    if (name === "other.db") new Database(file).exec("CREATE TABLE t (x)").close();
    const run = await restore(["--data-dir", dataDir, "--from", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("puts the snapshot back on a stopped server: what came after the backup is gone, the previous store kept beside it", async () => {
    const after = await httpsCall(server!.url, ROLES, admin, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "after-backup" }, spec: { permissions: ["nodes:read"] } } });
    expect(after.status).toBe(201);
    await server!.stop();
    server = undefined;
    const run = await restore(["--data-dir", dataDir, "--from", backup()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/restored .* the previous store is .*store\.db\.before-restore-/);
    expect(statSync(join(dataDir, "store.db")).mode & 0o777).toBe(0o600);
    await start();
    expect(await role("before-backup")).toBe(200);
    expect(await role("after-backup")).toBe(404);
  }, 60_000);
});
