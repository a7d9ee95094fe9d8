// `claw run` end to end against the real API server: a tiny node script as the command prints what it
// was given. An allowed workload gets its variable and its file; a denied one never starts; the private
// folder is gone afterwards however the run ended; a rotation restarts (or signals) the command.

import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../api/machinery/clock.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness, type HarnessOptions } from "../testing/cli-harness.js";
import { AuditReader } from "../../../api/audit/audit-reader.js";

const NODE = process.execPath;
/** Prints, as one JSON line, the variable, the mounted file's content and mode, its folder's mode, and two variables from claw's environment. */
const SHOW = `const fs = require("fs"); const dir = process.env.CLAW_SECRETS_DIR; const file = dir + "/secrets/db.txt";
const mode = (p) => (fs.statSync(p).mode & 0o777).toString(8);
console.log(JSON.stringify({ env: process.env.DB_PASSWORD, dir, content: fs.readFileSync(file, "utf8"), mode: mode(file), dirMode: mode(dir), apiKey: process.env.CLAWBERNETES_API_KEY ?? null, other: process.env.OTHER ?? null }));`;
const STAY = "setInterval(() => {}, 1 << 30);";

let env: EnvTest;
let claw: CliHarness;
let runTmp: string;
const run = (args: string[], opts: HarnessOptions = {}) => claw.run(["run", ...args], { ...opts, env: { TMPDIR: runTmp, ...opts.env } });
const start = (args: string[], opts: HarnessOptions = {}) => claw.start(["run", ...args], { ...opts, env: { TMPDIR: runTmp, ...opts.env } });
const admin = async (...args: string[]) => expect((await claw.run(args)).code).toBe(0);

beforeAll(async () => {
  const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
  env = await startEnvTest({ clock });
  claw = await CliHarness.create(clock);
  await mkdir(join(claw.homeDir, ".claw"), { recursive: true });
  await writeFile(join(claw.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
  await admin("secrets", "create", "db", "--value", "s3cret-db", "--allowed-workloads", "api-server,debug-container");
  await admin("secrets", "policy", "set", "db", "--deny-workloads", "debug-container");
  await admin("secrets", "create", "live", "--value", "one", "--allowed-workloads", "api-server");
  await admin("secrets", "create", "live-file", "--value", "one", "--allowed-workloads", "api-server");
  await admin("secrets", "create", "app-db", "--value", "app-value", "--allowed-workloads", "my-app");
});
beforeAll(async () => {
  runTmp = await mkdtemp(join(tmpdir(), "claw-run-test-"));
});
afterEach(async () => {
  // Every run, however it ended, leaves its private folder behind it removed.
  expect(await readdir(runTmp)).toEqual([]);
});
afterAll(async () => {
  await claw?.dispose();
  await env?.stop();
  await rm(runTmp, { recursive: true, force: true });
});

describe("claw run", () => {
  it("gives an allowed workload its variable and its file (0600 in a 0700 folder), but not claw's credential", async () => {
    const result = await run(["--workload", "api-server", "--secret", "DB_PASSWORD=db", "--secret-mount", "/secrets/db.txt=db", "--", NODE, "-e", SHOW], {
      env: { OTHER: "kept", CLAWBERNETES_API_KEY: env.token },
    });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const seen = JSON.parse(result.stdout) as Record<string, string | null>;
    expect(seen).toMatchObject({ env: "s3cret-db", content: "s3cret-db", mode: "600", dirMode: "700", apiKey: null, other: "kept" });
    expect(seen.dir!.startsWith(join(runTmp, "claw-run-"))).toBe(true);
    expect(existsSync(seen.dir!)).toBe(false);
  });

  it("records workload.started and workload.stopped, with the exit status, in the audit log", async () => {
    expect((await run(["--workload", "api-server", "--secret", "DB_PASSWORD=db", "--", NODE, "-e", "process.exit(5)"])).code).toBe(5);
    const page = await new AuditReader(env.audit!.log.batches).query({ types: ["workload.*"], limit: 100 });
    const mine = page.items.filter((e) => e.resource?.name === "api-server").slice(-2);
    expect(mine.map((e) => [e.type, e.details.exitCode ?? null])).toEqual([["workload.started", null], ["workload.stopped", 5]]);
    expect(mine[0]!.details.secretNames).toEqual(["db"]);
  });

  it.each([
    { name: "passes the command's exit status through as claw's", script: "process.exit(7)", code: 7 },
    { name: "passes a success through", script: "process.exit(0)", code: 0 },
  ])("$name", async ({ script, code }) => {
    expect((await run(["--workload", "api-server", "--secret", "DB_PASSWORD=db", "--", NODE, "-e", script])).code).toBe(code);
  });

  it("refuses a denied workload with the rule that decided, and never starts the command", async () => {
    const marker = join(runTmp, "..", `claw-run-marker-${process.pid}`);
    const result = await run(["--workload", "debug-container", "--secret", "DB_PASSWORD=db", "--secret-mount", "db.txt=db", "--", NODE, "-e", `require("fs").writeFileSync(${JSON.stringify(marker)}, "ran")`]);
    expect(result.code).toBe(ExitCode.Forbidden);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('workload "debug-container" may not read secret "db": denied by SecretPolicy "db" spec.denyWorkloads: "debug-container"');
    expect(result.stderr).toContain("claw run: the command was not started\n");
    expect(existsSync(marker)).toBe(false);
  });

  it("runs as the command's file name when --workload is not given", async () => {
    const result = await run(["--secret", "DB_PASSWORD=db", "--", NODE, "-e", "process.exit(0)"]);
    expect(result.code).toBe(ExitCode.Forbidden);
    expect(result.stderr).toContain(`no rule allows workload "${basename(NODE)}"`);
  });

  it("says a command that does not exist was not found (127)", async () => {
    const result = await run(["--workload", "api-server", "--secret-mount", "db.txt=db", "--", join(runTmp, "..", "no-such-command-xyz")]);
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/^claw run: .*no-such-command-xyz: command not found\n$/);
  });

  it("runs the guide's IMAGE form under docker, the values by name in its environment and the files mounted read-only", async () => {
    const bin = await mkdtemp(join(tmpdir(), "claw-fake-docker-"));
    // A stand-in for docker that reports what it was asked to run.
    const fake = `#!${NODE}\nconst args = process.argv.slice(2); const v = args[args.indexOf("-v") + 1];
console.log(JSON.stringify({ args, env: process.env.DB_PASSWORD, file: require("fs").readFileSync(v.split(":")[0], "utf8") }));`;
    await writeFile(join(bin, "docker"), fake, { mode: 0o755 });
    try {
      const result = await run(["--secret", "DB_PASSWORD=app-db", "--secret-mount", "/secrets/db.txt=app-db", "registry.example.com/team/my-app:latest"], { env: { PATH: bin } });
      expect(result).toMatchObject({ code: 0, stderr: "" });
      const seen = JSON.parse(result.stdout) as { args: string[]; env: string; file: string };
      expect(seen.args).toEqual(["run", "--rm", "-e", "DB_PASSWORD", "-v", expect.stringMatching(/\/secrets\/db\.txt:\/secrets\/db\.txt:ro$/), "registry.example.com/team/my-app:latest"]);
      expect(seen).toMatchObject({ env: "app-value", file: "app-value" });
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it.each([
    { name: "refuses the command's own options without --, and says to put it after --", args: ["--secret", "A=db", "node", "-e", "1"], message: "the command goes after --" },
    { name: "refuses a run without any secret", args: ["--", NODE], message: "give at least one --secret ENV=secret or --secret-mount PATH=secret" },
    { name: "refuses --rotate-signal without --restart-on-rotate", args: ["--secret", "A=db", "--rotate-signal", "HUP", "--", NODE], message: "--rotate-signal goes with --restart-on-rotate" },
    { name: "refuses a signal that does not exist", args: ["--secret", "A=db", "--restart-on-rotate", "--rotate-signal", "SIGNOPE", "--", NODE], message: '--rotate-signal: "SIGNOPE" is not a signal' },
  ])("$name, with exit 2", async ({ args, message }) => {
    const result = await run(args);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toContain(message);
  });

  it("restarts the command with the new value when the secret rotates", async () => {
    const abort = new AbortController();
    const live = start(["--workload", "api-server", "--secret", "LIVE=live", "--restart-on-rotate", "--", NODE, "-e", `console.log("value=" + process.env.LIVE); ${STAY}`], { signal: abort.signal, signals: new EventEmitter() });
    await live.stdout.until("value=one\n");
    await admin("secrets", "rotate", "live", "--new-value", "two");
    await live.stdout.until("value=two\n");
    abort.abort(); // Ctrl-C: passed on as SIGINT
    const result = await live.done;
    expect(result).toMatchObject({ code: 130, stdout: "value=one\nvalue=two\n" });
    expect(result.stderr).toBe('claw run: "live" (version 2) rotated; restarting the command\n');
  });

  it("sends --rotate-signal instead, after rewriting the file; SIGTERM ends it", async () => {
    const signals = new EventEmitter();
    const script = `const fs = require("fs"); const show = () => console.log("file=" + fs.readFileSync(process.env.CLAW_SECRETS_DIR + "/live.txt", "utf8"));
process.on("SIGHUP", show); show(); ${STAY}`;
    const live = start(["--workload", "api-server", "--secret-mount", "live.txt=live-file", "--restart-on-rotate", "--rotate-signal", "HUP", "--", NODE, "-e", script], { signals });
    await live.stdout.until("file=one\n");
    await admin("secrets", "rotate", "live-file", "--new-value", "two");
    await live.stdout.until("file=two\n");
    signals.emit("SIGTERM");
    const result = await live.done;
    expect(result).toMatchObject({ code: 143, stdout: "file=one\nfile=two\n" });
    expect(result.stderr).toBe('claw run: "live-file" (version 2) rotated; sending SIGHUP\n');
  });
});
