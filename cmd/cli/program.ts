// The `claw` command line: buildProgram for the entry point and tests, runCli to run it to an exit code.

import { Command, CommanderError } from "commander";
import { FAILED } from "./cli-action.js";
import { CliSession, type CliDeps } from "./cli-session.js";
import { addApiResourcesCommand } from "./commands/api-resources-command.js";
import { addApplyCommand } from "./commands/apply-command.js";
import { addAuditCommand } from "./commands/audit-command.js";
import { addAuthCommand } from "./commands/auth-command.js";
import { addConfigCommand } from "./commands/config-command.js";
import { addDeleteCommand } from "./commands/delete-command.js";
import { addDescribeCommand } from "./commands/describe-command.js";
import { addDiffCommand } from "./commands/diff-command.js";
import { addGetCommand } from "./commands/get-command.js";
import { addNodeCommand } from "./commands/node-command.js";
import { addPkiCommand } from "./commands/pki-command.js";
import { addRunCommand } from "./commands/run-command.js";
import { addSecretsCommand } from "./commands/secrets-command.js";
import { addSecurityCommand } from "./commands/security-command.js";
import { addStatusCommand } from "./commands/status-command.js";
import { addStoreCommand } from "./commands/store-command.js";
import { addVersionCommand } from "./commands/version-command.js";
import { addWaitCommand } from "./commands/wait-command.js";
import type { ClientConfigFlags } from "./config/client-config.js";
import { renderError } from "./error-render.js";
import { ExitCode } from "./exit-codes.js";

export type { CliDeps, TextSink } from "./cli-session.js";

const HELP_FOOTER = `
Finding the server and credential:
  config file   --config PATH, else $CLAW_CONFIG, else ~/.claw/config, else ~/.claw/admin.conf
                (a kubeconfig; 'claw server' writes admin.conf with the admin credential at first start)
  server        --server URL overrides the config's cluster server (default https://127.0.0.1:8080)
  credential    --token, else $CLAWBERNETES_TOKEN (a session JWT), else $CLAWBERNETES_API_KEY (clk_…),
                else the config's user token ('claw auth login' adds a context with one)

Exit codes:
  0 ok   1 failure   2 usage or bad input   3 server unreachable   4 unauthorized (401)
  5 forbidden (403)   6 not found (404)   7 conflict or already exists (409)   8 invalid (422)
  claw diff: 0 no changes, 1 changes, 9 a failure that is 1 elsewhere
`;

/**
 * The whole `claw` program. Commands write only to deps.stdout/stderr; a failed command throws a
 * CommanderError whose exitCode is the claw exit code (see exit-codes.ts). The session's client is
 * closed after each command.
 */
export function buildProgram(deps: CliDeps): Command {
  const program = new Command("claw");
  const flags = (): ClientConfigFlags => program.opts<ClientConfigFlags>();
  const session = new CliSession(deps, flags);
  program
    .description("claw: the Clawbernetes security control plane (Kubernetes-style API)")
    .option("--config <path>", "client config file, a kubeconfig (see below)")
    .option("-s, --server <url>", "the API server URL, e.g. https://127.0.0.1:8080")
    .option("--token <token>", "a credential: an API key (clk_…) or a token (JWT); the environment variables are safer than a flag")
    .option("--context <name>", "the context of the config file to use")
    .option("--certificate-authority <file>", "a PEM file of the CA that signed the server's certificate")
    .option("--insecure-skip-tls-verify", "do not verify the server's certificate (never in production)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) })
    .showSuggestionAfterError()
    .addHelpText("after", HELP_FOOTER);

  addApplyCommand(program, session);
  addDiffCommand(program, session);
  addGetCommand(program, session);
  addDescribeCommand(program, session);
  addDeleteCommand(program, session);
  addWaitCommand(program, session);
  addApiResourcesCommand(program, session);
  addConfigCommand(program, session);
  addAuthCommand(program, session);
  addVersionCommand(program, session);
  addStatusCommand(program, session);
  addAuditCommand(program, session);
  addSecretsCommand(program, session);
  addSecurityCommand(program, session);
  addPkiCommand(program, session);
  addNodeCommand(program, session);
  addRunCommand(program, session);
  addStoreCommand(program, session);
  deps.serverCommand?.(program);
  return program;
}

/** Runs `claw ARGS…` (arguments after the program name) and resolves to the exit code; never throws. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeOfCommanderError(err);
    const rendered = renderError(err, { server: "the claw server" });
    if (rendered.message) deps.stderr.write(`${rendered.message}\n`);
    return rendered.exitCode;
  }
}

export function exitCodeOfCommanderError(err: CommanderError): number {
  if (err.code === FAILED) return err.exitCode;
  if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return ExitCode.Ok;
  if (err.code === "commander.help") return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
}
