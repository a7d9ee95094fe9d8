// `claw security …`: the guide's DDoS Protection chapter (Manual IP Management). Blocks are BlockRule objects
// every gateway enforces; reputation is what the answering server has seen; firewall prints the host rules of the
// guide's Firewall Rules with the active blocks. Each group lives in its own file.

import type { Command } from "commander";
import type { CliSession } from "../cli-session.js";
import { SecurityApi } from "../security-api.js";
import { addBlockCommands } from "./security-block-command.js";
import type { SecurityCommandContext } from "./security-context.js";
import { addBlocklistCommand } from "./security-blocklist-command.js";
import { addCheckCommand } from "./security-check-command.js";
import { addFirewallCommand } from "./security-firewall-command.js";
import { addReputationCommand } from "./security-reputation-command.js";

export function addSecurityCommand(program: Command, session: CliSession): void {
  const ctx: SecurityCommandContext = { session, api: async () => new SecurityApi(await session.client(), session.deps.signal) };
  const security = program
    .command("security")
    .description("block and unblock addresses (BlockRules every gateway enforces), list blocks, read reputation, print firewall rules, check the deployment against the security checklist")
    .addHelpText(
      "after",
      `
Examples:
  claw security block 203.0.113.42 --reason "Suspicious activity" --duration 24h
  claw security block 198.51.100.0/24 --reason "scanner network" --expires 2026-05-06T08:00:00Z
  claw security unblock 203.0.113.42
  claw security blocklist
  claw security reputation --limit 50
  claw security firewall --config /etc/clawbernetes/gateway.toml --mesh > firewall.sh
  claw security firewall --format nftables --dashboard-port 443 > clawbernetes.nft
  claw security check -o json
`,
    );
  addBlockCommands(security, ctx);
  addBlocklistCommand(security, ctx);
  addReputationCommand(security, ctx);
  addFirewallCommand(security, ctx);
  addCheckCommand(security, ctx);
}
