// `claw security reputation`: the sources with the lowest reputation on the server that answers (each server
// tracks what it sees), worst first.

import type { Command } from "commander";
import type { ReputationList } from "../../../api/types/guard-api.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import { renderRows } from "../printers/row-table.js";
import type { SecurityCommandContext } from "./security-context.js";

/** The server answers at most this many. */
const MAX_LIMIT = 1000;

export function addReputationCommand(security: Command, ctx: SecurityCommandContext): void {
  const { session } = ctx;
  security
    .command("reputation")
    .description("list the sources with the lowest reputation on the answering server: SOURCE, SCORE, VIOLATIONS, LAST VIOLATION, BLOCKED")
    .option("--limit <n>", `how many, worst first (1 to ${MAX_LIMIT}; the server's default is 20)`)
    .action(
      runAction(session, async (flags: { limit?: string }) => {
        const limit = flags.limit === undefined ? undefined : parseLimit(flags.limit);
        const list = await (await ctx.api()).reputation(limit !== undefined ? { limit } : {});
        const where = `server ${list.server || "(unnamed)"}`;
        if (list.items.length === 0) return session.err(`No source has a violation on ${where}`);
        session.err(`${where}; sources at or below ${formatScore(list.threshold)} are auto-blocked`);
        session.out(renderReputation(list, session.clock.now()));
      }),
    );
}

export function parseLimit(text: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${text}"`);
  return n;
}

/** One decimal, and never "-0.0". */
export const formatScore = (score: number): string => (Math.round(score * 10) === 0 ? "0.0" : score.toFixed(1));

/** "auth_failure=3, rate_limit=2": most frequent first; "<none>" for none. */
export function violationsText(violations: Record<string, number>): string {
  const entries = Object.entries(violations).filter(([, n]) => n > 0).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return entries.length ? entries.map(([kind, n]) => `${kind}=${n}`).join(", ") : "<none>";
}

/** The table in the server's order (worst first); LAST VIOLATION as an age. */
export function renderReputation(list: ReputationList, nowMs: number): string {
  const rows = list.items.map((r) => [r.source, formatScore(r.score), violationsText(r.violations), r.lastViolation || undefined, r.blocked ? "yes" : "no"]);
  const columns = [{ name: "Source" }, { name: "Score" }, { name: "Violations" }, { name: "Last Violation", type: "date" as const }, { name: "Blocked" }];
  return renderRows(columns, rows, nowMs);
}
