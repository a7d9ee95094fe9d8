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
  follow?: boolean;
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
    .option("-f, --follow", "after the entries asked for, stream each new one as it is recorded (the audit watch) until interrupted")
    .action(
      runAction(session, async (flags: LogsFlags) => {
        const output = flags.output ?? "table";
        if (!["table", "json", "jsonl"].includes(output)) throw new UsageError(`unknown output format "${output}"; use table, json or jsonl`);
        if (flags.follow) {
          if (output === "json") throw new UsageError("--follow streams entries one per line: use -o jsonl or the table, not -o json");
          if (flags.until !== undefined) throw new UsageError("--follow cannot be combined with --until: a follow has no end");
          return follow(session, flags, output);
        }
        const { entries } = await history(new AuditClient(session), flags, filterQuery(flags, session.clock.now()));
        if (output === "json") return session.out(`${JSON.stringify(entries, null, 2)}\n`);
        if (output === "jsonl") return session.out(entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
        if (entries.length === 0) return session.err("No audit entries match.");
        session.out(renderAuditTable(entries, session.clock.now()));
      }),
    );
}

/** The entries asked for — the last N, or every match from --since — and the log's head when they were read. */
async function history(client: AuditClient, flags: LogsFlags, query: Record<string, QueryValue>): Promise<{ entries: AuditEntry[]; headSeq: number }> {
  const last = flags.last !== undefined ? parseLast(flags.last) : flags.since === undefined ? DEFAULT_LAST : undefined;
  if (last !== undefined) {
    const page = await client.events({ ...query, last });
    return { entries: page.items, headSeq: page.metadata.headSeq };
  }
  const entries: AuditEntry[] = [];
  let headSeq: number | undefined;
  for (let after: string | undefined; ; ) {
    const page = await client.events({ ...query, limit: PAGE, afterSeq: after });
    headSeq ??= page.metadata.headSeq;
    entries.push(...page.items);
    after = page.metadata.continue;
    if (!after) break;
  }
  return { entries, headSeq: headSeq ?? 0 };
}

/** Bounds between reconnects of a stream that ended (a server restart, its timeout). */
const RECONNECT_MS = [250, 500, 1_000, 2_000, 5_000];

/**
 * `--follow`: the last entries (or --since), then each new one, from the audit watch. A stream that ends is
 * reopened from the last seq seen, so nothing is printed twice or missed; Ctrl-C ends it.
 */
async function follow(session: CliSession, flags: LogsFlags, output: string): Promise<void> {
  const client = new AuditClient(session);
  const filter = filterQuery(flags, session.clock.now());
  const past = await history(client, flags, filter);
  let afterSeq = Math.max(past.headSeq, ...past.entries.map((e) => e.seq));
  let header = output === "table";
  const print = (entries: readonly AuditEntry[]) => {
    if (entries.length === 0) return;
    if (output === "jsonl") return session.out(entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
    const lines = renderAuditTable(entries, session.clock.now()).split("\n");
    session.out((header ? lines : lines.slice(1)).join("\n"));
    header = false;
  };
  print(past.entries);
  let failures = 0;
  const signal = session.deps.signal;
  while (!signal?.aborted) {
    try {
      for await (const event of client.watch({ ...filter, afterSeq })) {
        failures = 0;
        if (event.type === "ERROR") throw Object.assign(new Error(event.object.message), { code: event.object.code });
        afterSeq = Math.max(afterSeq, event.object.seq);
        if (event.type === "ADDED") print([event.object]);
      }
    } catch (err) {
      if (signal?.aborted) return;
      // A refusal (403; 410: the entries were pruned) will not change by retrying; a lost server may come back.
      const code = (err as { code?: unknown }).code;
      if ((typeof code === "number" && code >= 400 && code < 500 && code !== 429) || ++failures > RECONNECT_MS.length) throw err;
      session.err(`the audit stream ended (${err instanceof Error ? err.message : String(err)}); reconnecting after seq ${afterSeq}`);
    }
    if (signal?.aborted) return;
    await session.clock.sleep(RECONNECT_MS[Math.min(failures, RECONNECT_MS.length - 1)]!);
  }
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
