import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandTimeoutError, isCommandNotFound, ProcessCommandRunner, which } from "./command-runner.js";
import { RecordingRunner } from "./testing/recording-runner.js";

const NODE = process.execPath;
const runner = new ProcessCommandRunner({ env: { PATH: process.env.PATH ?? "/usr/bin:/bin", BASE: "base" } });
const script = (code: string, ...args: string[]) => runner.run(NODE, ["-e", code, ...args]);

describe("ProcessCommandRunner", () => {
  it("gives the exit code, standard output and standard error", async () => {
    expect(await script(`process.stdout.write("out"); process.stderr.write("err"); process.exitCode = 3`)).toEqual({ code: 3, stdout: "out", stderr: "err" });
  });

  it("passes each argument as it is, with no shell to expand or split it", async () => {
    const args = ["$(touch /tmp/claw-never)", "a b; rm -rf /", "*", "'quoted'", ""];
    const { stdout } = await script("console.log(JSON.stringify(process.argv.slice(1)))", ...args);
    expect(JSON.parse(stdout)).toEqual(args);
  });

  it("writes the input to the program's standard input", async () => {
    const { stdout } = await runner.run(NODE, ["-e", "process.stdin.pipe(process.stdout)"], { input: "line 1\nline 2\n" });
    expect(stdout).toBe("line 1\nline 2\n");
  });

  it("adds the run's variables to the runner's environment", async () => {
    const { stdout } = await runner.run(NODE, ["-e", "console.log(process.env.BASE, process.env.EXTRA)"], { env: { EXTRA: "extra" } });
    expect(stdout).toBe("base extra\n");
  });

  it("gives 128 + 15 for a program ended by SIGTERM", async () => {
    expect((await script(`process.kill(process.pid, "SIGTERM")`)).code).toBe(143);
  });

  it("rejects with CommandNotFoundError for a program that is not installed", async () => {
    const err: unknown = await runner.run("claw-no-such-program", []).catch((e: unknown) => e);
    expect(isCommandNotFound(err)).toBe(true);
  });

  it("kills a program that runs past its time limit", async () => {
    const impatient = new ProcessCommandRunner({ env: {}, timeoutMs: 300 });
    await expect(impatient.run(NODE, ["-e", "setInterval(() => {}, 1000)"])).rejects.toBeInstanceOf(CommandTimeoutError);
  });
});

describe("which", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-which-"));
    await writeFile(join(dir, "tool"), "#!/bin/sh\n");
    await chmod(join(dir, "tool"), 0o755);
    await writeFile(join(dir, "plain"), "not a program\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    { name: "finds an executable file in a PATH folder", program: () => "tool", path: () => `/nonexistent:${dir}`, found: () => join(dir, "tool") },
    { name: "passes over a file that is not executable", program: () => "plain", path: () => dir, found: () => undefined },
    { name: "finds nothing with an empty PATH", program: () => "tool", path: () => "", found: () => undefined },
    { name: "takes a name with a slash as a path", program: () => join(dir, "tool"), path: () => "", found: () => join(dir, "tool") },
  ])("$name", ({ program, path, found }) => {
    expect(which(program(), path())).toBe(found());
  });
});

describe("RecordingRunner", () => {
  it("records each call and answers by command-line prefix, the latest rule first", async () => {
    const fake = new RecordingRunner().answer("wg show", { stdout: "all" }).answer("wg show wg0 dump", { code: 1, stderr: "no" });
    expect(await fake.run("wg", ["show", "wg0", "dump"])).toEqual({ code: 1, stdout: "", stderr: "no" });
    expect(await fake.run("wg", ["show", "wg1"], { input: "x" })).toEqual({ code: 0, stdout: "all", stderr: "" });
    expect(await fake.run("wgx", [])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(fake.lines()).toEqual(["wg show wg0 dump", "wg show wg1", "wgx"]);
    expect(fake.calls[1]).toEqual({ file: "wg", args: ["show", "wg1"], input: "x" });
  });

  it("throws CommandNotFoundError for a program marked missing", async () => {
    const err: unknown = await new RecordingRunner().missing("tailscale").run("tailscale", ["up"]).catch((e: unknown) => e);
    expect(isCommandNotFound(err)).toBe(true);
  });
});
