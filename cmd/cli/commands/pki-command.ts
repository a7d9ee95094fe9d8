// `claw pki …`: the guide's mTLS chapter. Certificates are ordinary resources the server's controllers
// issue; these commands create them, wait for them and write the files gateway.toml and clawnode.toml read.

import type { Command } from "commander";
import type { CliSession } from "../cli-session.js";
import { PkiApi } from "../pki-api.js";
import type { PkiCommandContext } from "./pki-context.js";
import { addPkiCrlCommand } from "./pki-crl-command.js";
import { addPkiInitCommand } from "./pki-init-command.js";
import { addPkiIssueCommands } from "./pki-issue-command.js";
import { addPkiListCommand } from "./pki-list-command.js";
import { addPkiRevokeCommands } from "./pki-revoke-command.js";

export function addPkiCommand(program: Command, session: CliSession): void {
  const ctx: PkiCommandContext = {
    session,
    api: async () => {
      const config = await session.config();
      return new PkiApi({
        client: await session.client(),
        server: config.server,
        tls: config.tls,
        userAgent: `claw/${session.deps.version ?? "cli"}`,
        ...(session.deps.signal ? { signal: session.deps.signal } : {}),
      });
    },
  };
  const pki = program
    .command("pki")
    .description("the PKI for mTLS: the root CA, gateway and node certificates, revocation and CRLs")
    .addHelpText(
      "after",
      `
Examples:
  claw pki init                                   # /etc/clawbernetes/pki/{ca.crt,ca.key,crl/}
  claw pki issue gateway --dns gateway.example.com --ip 10.0.0.1
  claw pki issue node --name gpu-node-1 --dns gpu-node-1.example.com
  claw pki list
  claw pki revoke node-gpu-node-1 --reason keyCompromise
  claw pki crl
  claw pki renew gateway
`,
    );
  addPkiInitCommand(pki, ctx);
  addPkiIssueCommands(pki, ctx);
  addPkiListCommand(pki, ctx);
  addPkiRevokeCommands(pki, ctx);
  addPkiCrlCommand(pki, ctx);
}
