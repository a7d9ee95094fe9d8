// `claw audit …`: the guide's Audit Logging chapter. logs and export query the log, verify checks its
// integrity, keys prints the servers' signing keys to pin. Every command needs audit:read.

import type { Command } from "commander";
import { runAction } from "../cli-action.js";
import type { CliSession } from "../cli-session.js";
import { AuditClient } from "./audit-client.js";
import { addAuditExportCommand } from "./audit-export-command.js";
import { addAuditLogsCommand } from "./audit-logs-command.js";
import { addAuditVerifyCommand } from "./audit-verify-command.js";

export function addAuditCommand(program: Command, session: CliSession): void {
  const audit = program
    .command("audit")
    .description("query, export and verify the tamper-evident audit log (needs audit:read)")
    .addHelpText(
      "after",
      `
Examples:
  claw audit logs --last 100
  claw audit logs --type auth.login --user alice --since 24h
  claw audit logs --since 2026-02-01T00:00:00Z --until 2026-02-05T00:00:00Z -o json
  claw audit export --format jsonl --since 30d > audit-export.jsonl
  claw audit keys > audit.pub && claw audit verify --public-key audit.pub --witness ~/.claw/audit-witness.json
`,
    );
  addAuditLogsCommand(audit, session);
  addAuditExportCommand(audit, session);
  addAuditVerifyCommand(audit, session);
  audit
    .command("keys")
    .description("print the public keys the servers sign audit checkpoints with (PEM), to pin for verify --public-key")
    .action(
      runAction(session, async () => {
        const keys = await new AuditClient(session).publicKeys();
        if (keys.items.length === 0) return session.err("No audit signing keys are published ([audit] sign_logs = false, or no server has started).");
        session.out(keys.items.map((k) => `# key ${k.keyId}, created ${k.createdAt}\n${k.publicKeyPem.trim()}\n`).join(""));
      }),
    );
}
