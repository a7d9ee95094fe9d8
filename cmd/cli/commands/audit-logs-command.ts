// `claw audit logs [--last N] [--type T] [--user U] [--since T] [--until T] [-o table|json|jsonl]`

import type { Command } from "commander";
import { MAX_LAST } from "../../../api/types/audit-api.js";
import type { AuditEntry } from "../../../api/client/audit/event.js";
import type { QueryValue } from "../../../api/client/resource-path.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { renderRows } from "../printers/row-table.js";
import { AuditClient } from "./audit-client.js";
import { parseAuditTime, rfc3339 } from "./audit-time.js";

export interface AuditFilterFlags {
  type?: string[];
  user?: string;
  since?: string;
  until?: string;
}

interface LogsFlags extends AuditFilterFlags {
  last?: string;
  output?: string;
}

const DEFAULT_LAST = 100;
const PAGE = 1000;

/** The filter flags as the events endpoint's query. */
export function filterQuery(flags: AuditFilterFlags, nowMs: number): Record<string, QueryValue> {
  const since = flags.since !== undefined ? parseAuditTime(flags.since, "--since", nowMs) : undefined;
  const until = flags.until !== undefined ? parseAuditTime(flags.until, "--until", nowMs) : undefined;
  if (since !== undefined && until !== undefined && since > until) throw new UsageError(`--since (${rfc3339(since)}) is after --until (${rfc3339(until)})`);
  return {
    type: flags.type && flags.type.length > 0 ? flags.type.join(",") : undefined,
    user: flags.user,
    since: since !== undefined ? rfc3339(since) : undefined,
    until: until !== undefined ? rfc3339(until) : undefined,
  };
}

export const collectTypes = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(",").map((t) => t.trim()).filter(Boolean)];

export function addAuditLogsCommand(audit: Command, session: CliSession): void {
  audit
    .command("logs")
    .description("show audit entries: the last 100 unless --last or --since says otherwise")
    .option("--last <n>", `the last N matching entries (at most ${MAX_LAST})`)
    .option("--type <type>", "event type, e.g. auth.login, or a family such as auth.* (repeat or comma-separate)", collectTypes)
    .option("--user <name>", "entries whose actor is this user (alice) or key (apikey:ak_…)")
    .option("--since <time>", "from this time: a duration back from now (24h, 30d) or RFC 3339 (2026-02-01T00:00:00Z)")
    .option("--until <time>", "up to this time (same forms as --since)")
    .option("-o, --output <format>", "table (default), json or jsonl")
    .action(
      runAction(session, async (flags: LogsFlags) => {
        const output = flags.output ?? "table";
        if (!["table", "json", "jsonl"].includes(output)) throw new UsageError(`unknown output format "${output}"; use table, json or jsonl`);
        const last = flags.last !== undefined ? parseLast(flags.last) : flags.since === undefined ? DEFAULT_LAST : undefined;
        const query = filterQuery(flags, session.clock.now());
        const client = new AuditClient(session);
        const entries: AuditEntry[] = [];
        if (last !== undefined) entries.push(...(await client.events({ ...query, last })).items);
        else {
          for (let after: string | undefined; ; ) {
            const page = await client.events({ ...query, limit: PAGE, afterSeq: after });
            entries.push(...page.items);
            after = page.metadata.continue;
            if (!after) break;
          }
        }
        if (output === "json") return session.out(`${JSON.stringify(entries, null, 2)}\n`);
        if (output === "jsonl") return session.out(entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
        if (entries.length === 0) return session.err("No audit entries match.");
        session.out(renderAuditTable(entries, session.clock.now()));
      }),
    );
}

function parseLast(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_LAST) throw new UsageError(`--last must be a whole number from 1 to ${MAX_LAST}, not "${text}"`);
  return Number(text);
}

const resourceCell = (e: AuditEntry): string => (e.resource ? `${e.resource.kind}${e.resource.name ? `/${e.resource.name}` : ""}` : "");
const detailsCell = (e: AuditEntry): string => {
  const text = Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : "";
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

export function renderAuditTable(entries: readonly AuditEntry[], nowMs: number): string {
  return renderRows(
    [{ name: "Seq" }, { name: "Time" }, { name: "Type" }, { name: "Actor" }, { name: "Source" }, { name: "Resource" }, { name: "Outcome" }, { name: "Details" }],
    entries.map((e) => [String(e.seq), e.time, e.type, e.actor, e.sourceIp, resourceCell(e), e.outcome, detailsCell(e)]),
    nowMs,
  );
}
