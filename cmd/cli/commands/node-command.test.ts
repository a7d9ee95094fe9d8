// The `claw node` group without a server: its help, the entry point's hook for the agent's commands, and the
// refusals that exit before a request (the server named does not listen, so reaching it would exit 3).

import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { runCli } from "../program.js";
import { CapturedOutput, CliHarness } from "../testing/cli-harness.js";

const NOWHERE = ["--server", "http://127.0.0.1:9"];
let cli: CliHarness;

beforeAll(async () => {
  cli = await CliHarness.create();
});
afterAll(() => cli.dispose());

/** Runs claw with the agent hook given (the harness never passes one). */
async function runWithHook(args: string[], hook?: (node: Command) => void): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const code = await runCli(args, { stdout, stderr, stdin: (async function* () {})(), env: {}, homeDir: cli.homeDir, ...(hook ? { nodeAgentCommands: hook } : {}) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const agentHook = (ran: string[]) => (node: Command) => {
  node
    .command("join")
    .description("join the cluster with a bootstrap token")
    .option("--token <token>")
    .action(() => void ran.push(`join under ${node.name()}`));
  node
    .command("run")
    .description("run the node agent")
    .action(() => void ran.push("run"));
};

describe("claw node --help", () => {
  it("lists the operator's commands with examples", async () => {
    const run = await runWithHook(["node", "--help"]);
    expect(run.code).toBe(0);
    for (const name of ["list", "info", "mesh", "cordon", "uncordon", "remove", "token"]) expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    expect(run.stdout).toContain("claw node token create --ttl 1h --uses 1");
    expect(run.stdout).not.toMatch(/^ {2}(join|run)\b/m);
    expect(run.stdout).not.toContain("On a node");
  });

  it("lists run and join, with examples, when the entry point adds them", async () => {
    const run = await runWithHook(["node", "--help"], agentHook([]));
    expect(run.stdout).toMatch(/^ {2}join \[options\]\s+join the cluster with a bootstrap token$/m);
    expect(run.stdout).toMatch(/^ {2}run\s+run the node agent$/m);
    expect(run.stdout).toContain("On a node (the agent):\n  claw node join --token clbt_… --gateway https://gateway.example.com:8080");
    expect(run.stdout).toContain("  claw node run ");
  });

  it("hands the hook the node command, so its commands run as claw node join and claw node run", async () => {
    const ran: string[] = [];
    expect((await runWithHook(["node", "join", "--token", "t"], agentHook(ran))).code).toBe(0);
    expect((await runWithHook(["node", "run"], agentHook(ran))).code).toBe(0);
    expect(ran).toEqual(["join under node", "run"]);
  });

  it("explains in remove's help that a node whose certificate is kept can come back", async () => {
    const run = await runWithHook(["node", "remove", "--help"]);
    expect(run.stdout).toContain("a removed node whose certificate is not revoked can\ncome back");
  });
});

describe("claw node refusals", () => {
  it.each([
    { name: "list refuses an output format it does not make", args: ["list", "-o", "name"], message: 'error: unknown output format "name"; use one of wide, json, yaml\n' },
    { name: "info refuses a table format", args: ["info", "gpu-node-1", "-o", "wide"], message: 'error: unknown output format "wide"; use one of json, yaml\n' },
    { name: "mesh prints only json", args: ["mesh", "-o", "yaml"], message: 'error: unknown output format "yaml"; use one of json\n' },
    { name: "token create refuses a ttl without a unit", args: ["token", "create", "--ttl", "60"], message: 'error: --ttl: "60" has no unit; add one, such as 60m\n' },
  ])("$name, with exit 2", async ({ args, message }) => {
    expect(await cli.run([...NOWHERE, "node", ...args])).toEqual({ code: ExitCode.Usage, stdout: "", stderr: message });
  });
});
