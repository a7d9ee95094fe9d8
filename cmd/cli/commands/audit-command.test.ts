import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchKey } from "../../../api/audit/batch-keys.js";
import type { AuditEntry } from "../../../api/client/audit/event.js";
import { appendMany, startTestLog } from "../../../api/audit/testing/audit-fixture.js";
import { AUDITOR_TOKEN, OPERATOR_TOKEN, startAuditServer, type AuditServer } from "../../../api/audit/testing/audit-server.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import { openSqliteStore } from "../../../api/store/sqlite-store.js";
import { openForensicAuditSource } from "../../server/forensic-audit-source.js";
import { CliSession, type CliDeps } from "../cli-session.js";
import { renderError } from "../error-render.js";
import { buildProgram, exitCodeOfCommanderError } from "../program.js";
import { CapturedOutput } from "../testing/cli-harness.js";
import { addAuditCommand } from "./audit-command.js";

const NOW = Date.parse("2026-02-02T00:00:00Z");

/** A sink that says it is a terminal, like process.stderr on a TTY. */
class TerminalOutput extends CapturedOutput {
  readonly isTTY = true;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("claw audit", () => {
  let s: AuditServer;
  let home: string;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "claw-audit-cli-"));
    const clock = new FakeClock(Date.parse("2026-02-01T00:00:00Z"));
    s = await startAuditServer({ clock, maxBatchEntries: 10, config: (c) => (c.checkpointEvery = 10) });
    for (let i = 0; i < 120; i++) {
      await s.t.log.append(
        i % 4 === 0
          ? { type: "auth.login", actor: i % 8 === 0 ? "alice" : "bob", sourceIp: "10.1.1.1", outcome: i % 3 === 0 ? "failure" : "success" }
          : { type: "resource.created", actor: "carol", resource: { group: "security.clawbernetes.com", kind: "Role", name: `r${i}` }, outcome: "success", details: { verb: "create" } },
      );
      clock.step(10 * 60_000); // one entry every 10 minutes: 120 entries span 20 hours
    }
    await s.t.log.stop(); // sign the head
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  async function claw(args: string[], opts: { token?: string; terminal?: boolean } = {}): Promise<Run> {
    const stdout = new CapturedOutput();
    const stderr = opts.terminal ? new TerminalOutput() : new CapturedOutput();
    const deps: CliDeps = { stdout, stderr, stdin: (async function* () {})(), env: {}, homeDir: home, clock: new FakeClock(NOW), version: "v9.9.9-test", openForensicAuditSource };
    const program = buildProgram(deps);
    // Until cmd/cli/program.ts registers it, the test adds the command itself.
    if (!program.commands.some((c) => c.name() === "audit")) addAuditCommand(program, new CliSession(deps, () => program.opts()));
    let code = 0;
    try {
      await program.parseAsync(["--server", s.url, "--token", opts.token ?? AUDITOR_TOKEN, ...args], { from: "user" });
    } catch (err) {
      if (err instanceof CommanderError) code = exitCodeOfCommanderError(err);
      else {
        const rendered = renderError(err, { server: s.url });
        stderr.write(`${rendered.message}\n`);
        code = rendered.exitCode;
      }
    }
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  const logs: { name: string; args: string[]; check: (r: Run) => void }[] = [
    {
      name: "shows the last 100 entries as a table by default",
      args: ["audit", "logs"],
      check: (r) => {
        const lines = r.stdout.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^SEQ\s+TIME\s+TYPE\s+ACTOR\s+SOURCE\s+RESOURCE\s+OUTCOME\s+DETAILS$/);
        expect(lines.length).toBe(101);
        expect(lines.at(-1)).toMatch(/^120\s+2026-02-01T19:50:00.000Z\s+resource.created\s+carol\s+<none>\s+Role\/r119\s+success\s+\{"verb":"create"\}$/);
      },
    },
    {
      name: "filters by type, user and a time window, as the guide's example does",
      args: ["audit", "logs", "--last", "100", "--type", "auth.login", "--user", "alice", "--since", "24h", "--until", "2026-02-01T10:00:00Z", "-o", "json"],
      check: (r) => {
        const entries = JSON.parse(r.stdout) as AuditEntry[];
        expect(entries.map((e) => e.seq)).toEqual([1, 9, 17, 25, 33, 41, 49, 57]);
        expect(entries.every((e) => e.type === "auth.login" && e.actor === "alice")).toBe(true);
      },
    },
    {
      name: "pages forward through everything since a time, as JSON lines",
      args: ["audit", "logs", "--since", "2026-02-01T18:00:00Z", "-o", "jsonl"],
      check: (r) => expect(r.stdout.trim().split("\n").map((l) => (JSON.parse(l) as AuditEntry).seq)).toEqual(Array.from({ length: 12 }, (_, i) => 109 + i)),
    },
    {
      name: "says so when nothing matches",
      args: ["audit", "logs", "--user", "nobody"],
      check: (r) => expect([r.code, r.stdout, r.stderr]).toEqual([0, "", "No audit entries match.\n"]),
    },
  ];
  for (const c of logs) it(c.name, async () => c.check(await claw(c.args)));

  const usage: { name: string; args: string[]; message: RegExp }[] = [
    { name: "a --since that is neither a duration nor a time", args: ["audit", "logs", "--since", "last tuesday"], message: /--since "last tuesday": give a duration back from now/ },
    { name: "--since after --until", args: ["audit", "logs", "--since", "1h", "--until", "2h"], message: /--since .* is after --until/ },
    { name: "an unknown export format", args: ["audit", "export", "--format", "csv"], message: /unknown export format "csv"; use json or jsonl/ },
    { name: "a --last out of range", args: ["audit", "logs", "--last", "0"], message: /--last must be a whole number from 1/ },
  ];
  for (const c of usage) {
    it(`refuses ${c.name} with exit code 2`, async () => {
      const r = await claw(c.args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(c.message);
    });
  }

  it("refuses a caller without audit:read with exit code 5", async () => {
    const r = await claw(["audit", "logs"], { token: OPERATOR_TOKEN });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/needs audit:read/);
  });

  it("exports the whole log as one JSON array, with no progress bar when stderr is not a terminal", async () => {
    const r = await claw(["audit", "export", "--format", "json"]);
    expect((JSON.parse(r.stdout) as AuditEntry[]).map((e) => e.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(r.stderr).toBe("");
  });

  it("exports JSON lines since a duration, drawing a progress bar on a terminal's stderr", async () => {
    const r = await claw(["audit", "export", "--format", "jsonl", "--since", "5h", "--type", "resource.*"], { terminal: true });
    const seqs = r.stdout.trim().split("\n").map((l) => (JSON.parse(l) as AuditEntry).seq);
    expect(seqs.every((seq) => seq > 90 && seq % 4 !== 1)).toBe(true);
    expect(r.stderr).toMatch(/\rexporting audit log \[#+\] 100%/);
    expect(r.stderr).toMatch(/exported \d+ entries\n$/);
  });

  it("prints the signing keys as PEM, which verify then trusts, and verifies the log through the API", async () => {
    const keys = await claw(["audit", "keys"]);
    const keyFile = join(home, "audit.pub");
    writeFileSync(keyFile, keys.stdout);
    const r = await claw(["audit", "verify", "--public-key", keyFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: entries 1–120 verified \(120 entries in \d+ batches\)/);
    expect(r.stdout).toMatch(/signed checkpoints verified \(keys [0-9a-f]{16}\); the last covers entry 120/);
    expect(r.stderr).toBe("");
  });

  it("warns when it can only trust the keys the server publishes", async () => {
    const r = await claw(["audit", "verify"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: checking signatures against the keys the log's own store publishes/);
  });

  it("names the first bad entry of a log tampered with in the store, with exit code 1, and keeps a witness", async () => {
    const witness = join(home, "witness.json");
    expect((await claw(["audit", "verify", "--witness", witness, "-o", "json"])).code).toBe(0);
    expect(JSON.parse(readFileSync(witness, "utf8"))).toMatchObject({ seq: 120 });
    const kv = (await s.t.store.get(batchKey(3)))!;
    await s.t.store.update(batchKey(3), kv.value.replace('"actor":"carol"', '"actor":"mallory"'), kv.modRevision);
    const r = await claw(["audit", "verify", "--witness", witness]);
    expect(r.code).toBe(1);
    // Appended one at a time, each entry got a batch of its own: batch 3 holds entry 3.
    expect(r.stdout).toMatch(/^TAMPERED: the first bad entry is 3 \(batch 3\): entry 3 was altered: its content does not match its hash/);
    await s.t.store.update(batchKey(3), kv.value, (await s.t.store.get(batchKey(3)))!.modRevision);
  });

  it("verifies a stopped server's data dir directly, and catches truncation there with the witness", async () => {
    const dataDir = join(home, "data");
    const store = openSqliteStore({ path: join(dataDir, "store.db") });
    const t = await startTestLog({ store, maxBatchEntries: 5 });
    await appendMany(t.log, 40);
    await t.close();
    await store.close(); // a stopped server: the embedded store is locked while a process has it open
    const keyFile = join(home, "data.pub");
    writeFileSync(keyFile, t.signer.publicKeyPem);
    const witness = join(home, "data-witness.json");
    const ok = await claw(["audit", "verify", "--data-dir", dataDir, "--public-key", keyFile, "--witness", witness]);
    expect([ok.code, ok.stdout.split("\n")[0]]).toEqual([0, "OK: entries 1–40 verified (40 entries in 9 batches): every entry in place, every hash and link holds."]);
    // Drop the last three batches (with their checkpoints): only the witness still knows entry 40 existed.
    const reopened = openSqliteStore({ path: join(dataDir, "store.db") });
    for (const b of [7, 8, 9]) await reopened.delete(batchKey(b));
    await reopened.close();
    const cut = await claw(["audit", "verify", "--data-dir", dataDir, "--public-key", keyFile, "--witness", witness]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/^TAMPERED: the first bad entry is 31: entries 31–40 are missing: the log ends at entry 30/);
  });
});
