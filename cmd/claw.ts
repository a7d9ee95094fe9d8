#!/usr/bin/env node
// The `claw` executable (also installed as `clawbernetes`): the CLI, and `claw server`.
// The only place that reads process.env, argv and the real standard streams.

import { homedir } from "node:os";
import { runCli } from "./cli/program.js";
import { serverCommand } from "./server/server-command.js";

const abort = new AbortController();
process.once("SIGINT", () => abort.abort());

const env = { ...process.env };
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env,
  homeDir: homedir(),
  signal: abort.signal,
  serverCommand: (program) =>
    program.addCommand(
      serverCommand({
        env,
        homeDir: homedir(),
        stdout: (line) => process.stdout.write(`${line}\n`),
        stderr: (line) => process.stderr.write(`${line}\n`),
      }),
    ),
});
process.exitCode = process.exitCode || code;
