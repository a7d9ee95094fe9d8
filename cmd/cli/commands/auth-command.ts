// `claw auth …`: sessions, identity checks, users, roles and API keys (the guide's Authentication and
// Authorization chapters). Each group lives in its own file; this one only assembles them.

import type { Command } from "commander";
import { AuthApi } from "../auth-api.js";
import type { CliSession } from "../cli-session.js";
import type { ClientConfigFlags } from "../config/client-config.js";
import type { AuthCommandContext } from "./auth-context.js";
import { addApiKeyCommands } from "./auth-apikey-command.js";
import { addMfaCommands } from "./auth-mfa-command.js";
import { addAccessCommands } from "./auth-access-command.js";
import { addRoleCommands } from "./auth-role-command.js";
import { addSessionCommands } from "./auth-session-command.js";
import { addUserCommands } from "./auth-user-command.js";

export type { AuthCommandContext };

export function addAuthCommand(program: Command, session: CliSession): void {
  const ctx: AuthCommandContext = {
    session,
    configInputs: () => ({ flags: program.opts<ClientConfigFlags>(), env: session.deps.env, homeDir: session.deps.homeDir }),
    api: async () => new AuthApi(await session.client(), session.deps.signal),
  };
  const auth = program
    .command("auth")
    .description("log in and out, check permissions, and manage users, roles and API keys")
    .addHelpText(
      "after",
      `
Examples:
  claw auth login --username admin              # prompts for the password; the token goes to the config file
  claw auth whoami
  claw auth can-i delete workloads              # yes (exit 0) or no (exit 1)
  claw auth user create alice --email alice@example.com --roles operator,ml-engineer
  claw auth role create ml-engineer --description "ML team member" --permissions "workloads:*,nodes:read,list"
  claw auth apikey create --name "CI/CD Pipeline" --scopes "workloads:*,nodes:read" --expires 90d
`,
    );
  addSessionCommands(auth, ctx);
  addAccessCommands(auth, ctx);
  addUserCommands(auth, ctx);
  addRoleCommands(auth, ctx);
  addApiKeyCommands(auth, ctx);
  addMfaCommands(auth, ctx);
}
