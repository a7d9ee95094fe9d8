// `claw audit export --format json|jsonl [--since 30d] [--until T] [--type T] [--user U] > file`
// Streams page by page to stdout (with backpressure), so an export of millions of entries runs in
// constant memory; a progress bar goes to stderr when stderr is a terminal.

import type { Command } from "commander";
import { MAX_PAGE } from "../../../api/types/audit-api.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { AuditClient } from "./audit-client.js";
import { collectTypes, filterQuery, type AuditFilterFlags } from "./audit-logs-command.js";
import { writeWithBackpressure } from "./audit-output.js";
import { ProgressBar } from "./audit-progress.js";

interface ExportFlags extends AuditFilterFlags {
  format: string;
}

export function addAuditExportCommand(audit: Command, session: CliSession): void {
  audit
    .command("export")
    .description("write audit entries to stdout for analysis: a JSON array (json) or one entry per line (jsonl)")
    .option("--format <format>", "json or jsonl", "json")
    .option("--since <time>", "from this time: a duration back from now (30d) or RFC 3339; default: the whole log")
    .option("--until <time>", "up to this time (same forms as --since)")
    .option("--type <type>", "only this event type or family (repeat or comma-separate)", collectTypes)
    .option("--user <name>", "only entries of this actor")
    .action(
      runAction(session, async (flags: ExportFlags) => {
        if (flags.format !== "json" && flags.format !== "jsonl") throw new UsageError(`unknown export format "${flags.format}"; use json or jsonl`);
        const json = flags.format === "json";
        const query = filterQuery(flags, session.clock.now());
        const client = new AuditClient(session);
        const out = session.deps.stdout;
        const progress = ProgressBar.enabledFor(session.deps.stderr) ? new ProgressBar(session.deps.stderr, session.clock, "exporting audit log") : undefined;
        let written = 0;
        let startSeq: number | undefined;
        let headSeq = 0;
        if (json) await writeWithBackpressure(out, "[");
        for (let after: string | undefined; ; ) {
          const page = await client.events({ ...query, limit: MAX_PAGE, afterSeq: after });
          headSeq = page.metadata.headSeq;
          startSeq ??= page.items[0]?.seq;
          if (page.items.length > 0) {
            const lines = page.items.map((e) => JSON.stringify(e));
            const text = json ? `${written === 0 ? "\n" : ",\n"}${lines.join(",\n")}` : `${lines.join("\n")}\n`;
            await writeWithBackpressure(out, text);
            written += page.items.length;
          }
          after = page.metadata.continue;
          // Progress in seqs: the filtered entries are a subset, so position, not count, says how far along it is.
          const position = after !== undefined ? Number(after) : headSeq;
          progress?.update(position - (startSeq ?? position) + 1, headSeq - (startSeq ?? headSeq) + 1);
          if (!after) break;
        }
        if (json) await writeWithBackpressure(out, written === 0 ? "]\n" : "\n]\n");
        if (progress) {
          const total = headSeq - (startSeq ?? headSeq) + 1;
          progress.finish(total, total);
          session.err(`exported ${written.toLocaleString("en-US")} entries`);
        }
      }),
    );
}
