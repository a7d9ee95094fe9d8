import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AUDITOR_TOKEN, OPERATOR_TOKEN, startAuditServer, type AuditServer } from "../../../api/audit/testing/audit-server.js";
import type { AuditEvent } from "../../../api/client/audit/event.js";
import { FakeClock, systemClock } from "../../../api/machinery/clock.js";
import { CliSession, type CliDeps } from "../cli-session.js";
import { renderError } from "../error-render.js";
import { buildProgram } from "../program.js";
import { CapturedOutput } from "../testing/cli-harness.js";
import { addAuditCommand } from "./audit-command.js";

const event = (actor: string, type: AuditEvent["type"] = "auth.login"): AuditEvent => ({ type, actor: `user:${actor}`, sourceIp: "10.1.1.1", outcome: "success" });

describe("claw audit logs --follow", () => {
  let s: AuditServer;
  let home: string;
  afterEach(async () => {
    await s?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  /** Starts `claw audit logs …` in the background; `stop` interrupts it as Ctrl-C does and waits for it to end. */
  function follow(args: string[], token = AUDITOR_TOKEN) {
    const stdout = new CapturedOutput();
    const stderr = new CapturedOutput();
    const abort = new AbortController();
    const deps: CliDeps = { stdout, stderr, stdin: (async function* () {})(), env: {}, homeDir: home, clock: systemClock, version: "v9.9.9-test", signal: abort.signal };
    const program = buildProgram(deps);
    if (!program.commands.some((c) => c.name() === "audit")) addAuditCommand(program, new CliSession(deps, () => program.opts()));
    let error = "";
    const done = program.parseAsync(["--server", s.url, "--token", token, "audit", "logs", ...args], { from: "user" }).catch((err: unknown) => void (error = renderError(err, { server: s.url }).message));
    return {
      stdout,
      stderr,
      error: () => error,
      done,
      async stop() {
        abort.abort();
        await done;
      },
    };
  }

  const start = async () => {
    home = mkdtempSync(join(tmpdir(), "claw-audit-follow-"));
    s = await startAuditServer({ clock: new FakeClock(Date.parse("2026-02-01T00:00:00Z")) });
  };

  it("prints the last entries, then each new one as it is recorded, once, until interrupted", async () => {
    await start();
    for (const who of ["alice", "bob"]) await s.t.log.append(event(who));
    const run = follow(["--last", "1", "-f", "-o", "jsonl"]);
    await expect.poll(() => run.stdout.text).toContain("user:bob");
    await s.t.log.append(event("carol"));
    await s.t.log.append(event("dave", "auth.logout"));
    await expect.poll(() => run.stdout.text.trimEnd().split("\n").length).toBe(3);
    await run.stop();
    expect(run.stdout.text.trimEnd().split("\n").map((l) => (JSON.parse(l) as { actor: string; seq: number }).actor)).toEqual(["user:bob", "user:carol", "user:dave"]);
    expect(run.error()).toBe("");
  });

  it("applies the filters to what it streams, and prints the table header once", async () => {
    await start();
    await s.t.log.append(event("alice"));
    const run = follow(["--type", "auth.logout", "-f"]);
    await expect.poll(() => run.stderr.text + run.stdout.text).toBe("");
    await s.t.log.append(event("bob"));
    await s.t.log.append(event("carol", "auth.logout"));
    await s.t.log.append(event("dave", "auth.logout"));
    await expect.poll(() => run.stdout.text).toContain("user:dave");
    await run.stop();
    const lines = run.stdout.text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEQ\s+TIME\s+TYPE/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["3", "4"]);
  });

  it("says plainly why it cannot follow without the permission", async () => {
    await start();
    const run = follow(["-f"], OPERATOR_TOKEN);
    await run.done;
    expect(run.error()).toMatch(/audit:read|forbidden|not allowed/i);
  });

  it.each([
    [["-f", "-o", "json"], /use -o jsonl or the table/],
    [["-f", "--until", "1h"], /cannot be combined with --until/],
  ])("refuses %j", async (args, message) => {
    await start();
    const run = follow(args);
    await run.done;
    expect(run.error()).toMatch(message);
  });
});
