// `claw secrets …`: the guide's Secrets Management chapter. Each group lives in its own file; this one
// only assembles them. Every command is a thin client of the REST API.

import type { Command } from "commander";
import type { CliSession } from "../cli-session.js";
import { SecretsApi } from "../secrets-api.js";
import type { SecretsCommandContext } from "./secrets-context.js";
import { addSecretListCommands } from "./secrets-list-command.js";
import { addSecretPolicyCommands } from "./secrets-policy-command.js";
import { addSecretRekeyCommand } from "./secrets-rekey-command.js";
import { addSecretValueCommands } from "./secrets-value-command.js";

export function addSecretsCommand(program: Command, session: CliSession): void {
  const ctx: SecretsCommandContext = { session, api: async () => new SecretsApi(await session.client(), session.deps.signal) };
  const secrets = program
    .command("secrets")
    .description("manage secrets: values sealed by the server, released only to the workloads their policy allows")
    .addHelpText(
      "after",
      `
Examples:
  claw secrets create database-password --value-stdin --allowed-workloads "api-server,worker" < password.txt
  claw secrets create api-key --generate --length 40 --rotate-days 30 --allowed-workloads "*"
  claw secrets policy set database-password --deny-workloads "debug-container"
  claw secrets can-read database-password --workload api-server --labels env=production
  claw secrets rotate database-password --generate
  claw secrets history database-password
  claw run --workload api-server --secret DATABASE_PASSWORD=database-password -- ./server
`,
    );
  addSecretValueCommands(secrets, ctx);
  addSecretListCommands(secrets, ctx);
  addSecretPolicyCommands(secrets, ctx);
  addSecretRekeyCommand(secrets, ctx);
}
