#!/usr/bin/env node
// The `claw` executable (also installed as `clawbernetes`): the CLI, `claw server` and `claw controller-manager`.
// The only place that reads process.env, argv and the real standard streams.

import { homedir } from "node:os";
import { runCli } from "./cli/program.js";
import { openForensicAuditSource } from "./server/forensic-audit-source.js";
import { controllerManagerCommand } from "./server/controller-manager-command.js";
import { serverCommand } from "./server/server-command.js";
import { storeRestoreCommand } from "./server/store-restore-command.js";
import { addNodeAgentCommands } from "./node/agent-commands.js";
import { clawVersion } from "./server/version.js";

const abort = new AbortController();
// `claw get roles | head`: a reader that closed the pipe ends the command quietly, as kubectl does.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
process.once("SIGINT", () => abort.abort());

const env = { ...process.env };
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env,
  homeDir: homedir(),
  signal: abort.signal,
  openForensicAuditSource,
  nodeAgentCommands: (node) =>
    addNodeAgentCommands(node, {
      env,
      stdout: (line) => void process.stdout.write(`${line}\n`),
      stderr: (line) => void process.stderr.write(`${line}\n`),
      signal: abort.signal,
      // Only the agent turns SIGTERM (systemd's stop) into a clean end; other commands keep the default.
      onTerminate: (stop) => process.once("SIGTERM", stop),
      version: clawVersion(),
    }),
  serverCommand: (program) => {
    const serverDeps = {
      env,
      homeDir: homedir(),
      stdout: (line: string) => void process.stdout.write(`${line}\n`),
      stderr: (line: string) => void process.stderr.write(`${line}\n`),
    };
    program.addCommand(serverCommand(serverDeps));
    program.addCommand(controllerManagerCommand(serverDeps));
    // `claw store` is the CLI's (backup goes through the API); restore works on the files, so it lives here.
    program.commands.find((c) => c.name() === "store")?.addCommand(storeRestoreCommand(serverDeps));
  },
});
process.exitCode = process.exitCode || code;
